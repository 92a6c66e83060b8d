namespace NerfSharp.Reports;

/// <summary>How data values map to positions along an axis.</summary>
public enum AxisScale
{
    Linear,

    /// <summary>Base-10 logarithmic; values at or below zero cannot be shown and are left out.</summary>
    Log,
}
