using System.Globalization;

namespace NerfSharp.Reports;

/// <summary>
/// The span an axis shows and its tick values: on a linear axis the data range widened to whole multiples of a
/// "nice" step (1, 2 or 5 times a power of ten); on a log axis the data range widened to whole decades, with ticks at
/// each decade (and at 2 and 5 times it when the axis spans at most two decades).
/// </summary>
public sealed record AxisRange(double Min, double Max, AxisScale Scale, IReadOnlyList<double> Ticks, double Step)
{
    /// <summary>A linear axis holding [min, max] with about <paramref name="targetTicks"/> ticks.</summary>
    public static AxisRange Linear(double min, double max, int targetTicks = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            (min, max) = (0, 1);
        }

        if (max < min)
        {
            (min, max) = (max, min);
        }

        if (max == min)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }

        double step = NiceStep((max - min) / Math.Max(1, targetTicks));
        double lo = Math.Floor((min / step) + 1e-9) * step;
        double hi = Math.Ceiling((max / step) - 1e-9) * step;
        var ticks = new List<double>();
        int count = (int)Math.Round((hi - lo) / step);
        for (int i = 0; i <= count; i++)
        {
            ticks.Add(Clean(lo + (i * step), step));
        }

        return new AxisRange(Clean(lo, step), Clean(hi, step), AxisScale.Linear, ticks, step);
    }

    /// <summary>A base-10 log axis holding [min, max] (both must be positive; otherwise 1 .. 10).</summary>
    public static AxisRange Logarithmic(double min, double max)
    {
        if (!(min > 0) || !(max > 0) || !double.IsFinite(min) || !double.IsFinite(max))
        {
            (min, max) = (1, 10);
        }

        if (max < min)
        {
            (min, max) = (max, min);
        }

        int lo = (int)Math.Floor(Math.Log10(min) + 1e-9);
        int hi = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        if (hi <= lo)
        {
            hi = lo + 1;
        }

        var ticks = new List<double>();
        for (int e = lo; e <= hi; e++)
        {
            double decade = Math.Pow(10, e);
            ticks.Add(decade);
            if (hi - lo <= 2 && e < hi)
            {
                ticks.Add(2 * decade);
                ticks.Add(5 * decade);
            }
        }

        return new AxisRange(Math.Pow(10, lo), Math.Pow(10, hi), AxisScale.Log, ticks, 0);
    }

    /// <summary>The axis for a set of values: linear, or log over the positive ones.</summary>
    public static AxisRange For(IEnumerable<double> values, AxisScale scale)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (double.IsFinite(v) && (scale == AxisScale.Linear || v > 0))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        return scale == AxisScale.Log ? Logarithmic(min, max) : Linear(min, max);
    }

    /// <summary>Whether the value can be drawn on this axis (finite; positive on a log axis).</summary>
    public bool Shows(double value) => double.IsFinite(value) && (Scale == AxisScale.Linear || value > 0);

    /// <summary>The fraction (0 at Min, 1 at Max) of the axis at which a value lies.</summary>
    public double Fraction(double value) => Scale == AxisScale.Log
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min);

    /// <summary>A tick's label: as few decimals as the step needs; powers of ten far from 1 as 1e-5.</summary>
    public string Label(double value)
    {
        if (Scale == AxisScale.Log)
        {
            double e = Math.Log10(value);
            return Math.Abs(e) >= 4 ? value.ToString("0.#e+0", CultureInfo.InvariantCulture).Replace("e+", "e", StringComparison.Ordinal) : value.ToString("G4", CultureInfo.InvariantCulture);
        }

        if (Math.Abs(value) >= 1e6)
        {
            return value.ToString("0.##e+0", CultureInfo.InvariantCulture).Replace("e+", "e", StringComparison.Ordinal);
        }

        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(Step) + 1e-9));
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>1, 2 or 5 times a power of ten, the smallest at least <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double f = rough / power;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * power;
    }

    /// <summary>Rounds away the float noise of lo + i * step (0.30000000000000004 -> 0.3).</summary>
    private static double Clean(double value, double step)
    {
        double r = Math.Round(value / step) * step;
        return double.Parse(r.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + 0.0;
    }
}
