namespace NerfSharp.Reports;

/// <summary>
/// How long the run trained (seconds of training, all sessions, as metrics.jsonl records them) for how many steps,
/// and the end-to-end rates that follow: steps, rays and samples per second (rays and samples where logged).
/// </summary>
public sealed record ReportTimings(
    double TrainSeconds,
    long Steps,
    double StepsPerSecond,
    double? RaysPerStep,
    double? RaysPerSecond,
    double? SamplesPerRay,
    double? SamplesPerSecond,
    double? PeakSamplesPerSecond);
