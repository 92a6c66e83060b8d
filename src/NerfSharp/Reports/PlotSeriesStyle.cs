namespace NerfSharp.Reports;

/// <summary>How a series is drawn: a polyline through its points, or a marker at each point.</summary>
public enum PlotSeriesStyle
{
    Line,
    Markers,
}
