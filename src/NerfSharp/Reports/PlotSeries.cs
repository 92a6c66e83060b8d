namespace NerfSharp.Reports;

/// <summary>A named set of points drawn in one colour, listed in the plot's legend.</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<PlotPoint> Points, PlotSeriesStyle Style = PlotSeriesStyle.Line);
