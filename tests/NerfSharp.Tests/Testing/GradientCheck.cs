namespace NerfSharp.Tests.Testing;

/// <summary>
/// The one finite-difference harness every differentiable piece is checked with.
/// The caller supplies a scalar loss L(x) (usually sum(output * r) for a fixed random r) evaluated in
/// double precision where possible, the variable buffer x it reads, and the analytic gradient dL/dx.
/// The harness perturbs a random subset of entries by +-eps (central differences) and compares with
/// the symmetric relative error |a - n| / max(|a| + |n|, floor).
/// </summary>
public static class GradientCheck
{
    public sealed record Result(int Probes, double MaxError, int WorstIndex, double Analytic, double Numeric);

    /// <summary>Checks gradients w.r.t. a double buffer.</summary>
    public static Result Check(
        double[] x,
        Func<double> loss,
        ReadOnlySpan<double> analytic,
        int probes = 64,
        double eps = 1e-6,
        double tolerance = 1e-5,
        double floor = 1e-7,
        int seed = 1234,
        Func<int, bool>? skip = null)
    {
        return CheckCore(x.Length, i => x[i], (i, v) => x[i] = v, loss, analytic.ToArray(), probes, eps, tolerance, floor, seed, skip);
    }

    /// <summary>
    /// Checks gradients w.r.t. a float buffer (float kernels: use eps ~1e-2..1e-3 and a loose tolerance,
    /// or better, check a double reference and compare the float kernel against the reference).
    /// </summary>
    public static Result Check(
        float[] x,
        Func<double> loss,
        ReadOnlySpan<float> analytic,
        int probes = 64,
        double eps = 1e-3,
        double tolerance = 2e-2,
        double floor = 1e-4,
        int seed = 1234,
        Func<int, bool>? skip = null)
    {
        var a = new double[analytic.Length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = analytic[i];
        }

        return CheckCore(x.Length, i => x[i], (i, v) => x[i] = (float)v, loss, a, probes, eps, tolerance, floor, seed, skip);
    }

    private static Result CheckCore(
        int n,
        Func<int, double> get,
        Action<int, double> set,
        Func<double> loss,
        double[] analytic,
        int probes,
        double eps,
        double tolerance,
        double floor,
        int seed,
        Func<int, bool>? skip)
    {
        Assert.Equal(n, analytic.Length);
        var rng = new Random(seed);
        var indices = Enumerable.Range(0, n).Where(i => skip == null || !skip(i)).OrderBy(_ => rng.Next()).Take(probes).ToArray();
        Assert.NotEmpty(indices);
        double worst = 0;
        int worstIndex = -1;
        double worstA = 0, worstN = 0;
        foreach (int i in indices)
        {
            double orig = get(i);

            // The step actually taken is measured from the values the buffer holds after rounding
            // (a float buffer cannot hold orig +- eps exactly), before x[i] is restored.
            set(i, orig + eps);
            double plus = get(i);
            double lp = loss();
            set(i, orig - eps);
            double minus = get(i);
            double lm = loss();
            set(i, orig);
            double actualStep = plus - minus;
            Assert.True(actualStep > 0, $"gradient check: eps {eps:G3} is below the resolution of x[{i}] = {orig:G9}");
            double numeric = (lp - lm) / actualStep;
            double err = Math.Abs(analytic[i] - numeric) / Math.Max(Math.Abs(analytic[i]) + Math.Abs(numeric), floor);
            if (err > worst || worstIndex < 0)
            {
                worst = err;
                worstIndex = i;
                worstA = analytic[i];
                worstN = numeric;
            }
        }

        Assert.True(worst <= tolerance, $"gradient check failed at index {worstIndex}: analytic {worstA:G9} vs numeric {worstN:G9} (relative error {worst:G3} > {tolerance:G3})");
        return new Result(indices.Length, worst, worstIndex, worstA, worstN);
    }

    /// <summary>A fixed random vector for reducing an output to a scalar.</summary>
    public static double[] RandomWeights(int n, int seed = 99)
    {
        var rng = new Random(seed);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = (rng.NextDouble() * 2) - 1;
        }

        return r;
    }
}
