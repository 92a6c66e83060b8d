namespace NerfSharp.Reports;

/// <summary>One (x, y) point of a plotted series, in data units.</summary>
public readonly record struct PlotPoint(double X, double Y);
