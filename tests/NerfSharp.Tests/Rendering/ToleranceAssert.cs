namespace NerfSharp.Tests.Rendering;

/// <summary>Element-wise |actual - expected| &lt;= atol + rtol |expected|, reporting the worst entry.</summary>
internal static class ToleranceAssert
{
    public static void AllClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double atol, double rtol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(actual[i] - expected[i]);
            double excess = difference == 0 ? 0 : difference / (atol + (rtol * Math.Abs(expected[i])));
            if (!(excess <= worst))
            {
                worst = excess;
                worstIndex = i;
            }
        }

        Assert.True(
            worst <= 1,
            worstIndex < 0 ? what : $"{what}: entry {worstIndex} is {actual[worstIndex]:R}, expected {expected[worstIndex]:R} (atol {atol:G3}, rtol {rtol:G3})");
    }

    public static void AllClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double atol, double rtol, string what) =>
        AllClose(expected, ToDoubles(actual), atol, rtol, what);

    public static double[] ToDoubles(ReadOnlySpan<float> values)
    {
        var d = new double[values.Length];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = values[i];
        }

        return d;
    }

    public static float[] ToFloats(ReadOnlySpan<double> values)
    {
        var f = new float[values.Length];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = (float)values[i];
        }

        return f;
    }
}
