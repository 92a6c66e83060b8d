namespace NerfSharp.Reports;

/// <summary>
/// Everything a run's report.html shows: the run, its model and size, the plots (loss and PSNR against step and
/// wall-clock time), the validation views, the timings and throughput, the peak memory, the machine and the resolved
/// config.json text.
/// </summary>
public sealed record RunReport(
    string RunPath,
    DateTime GeneratedUtc,
    string ModelName,
    long ParameterCount,
    long Step,
    string CheckpointPath,
    IReadOnlyList<LinePlot> Plots,
    IReadOnlyList<ValidationPoint> ValidationPoints,
    ReportValidation Validation,
    ReportTimings Timings,
    long? PeakRssBytes,
    MachineInfo Machine,
    string ConfigJson);
