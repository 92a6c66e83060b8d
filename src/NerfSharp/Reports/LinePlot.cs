namespace NerfSharp.Reports;

/// <summary>
/// A line plot to draw: title, axis labels, the y axis's scale and the series (each with its own colour and legend
/// entry). Series with more than <see cref="MaxPointsPerSeries"/> points are thinned evenly (first and last kept).
/// </summary>
public sealed record LinePlot(
    string Title,
    string XLabel,
    string YLabel,
    IReadOnlyList<PlotSeries> Series,
    AxisScale YScale = AxisScale.Linear,
    int Width = 560,
    int Height = 320,
    int MaxPointsPerSeries = 1500);
