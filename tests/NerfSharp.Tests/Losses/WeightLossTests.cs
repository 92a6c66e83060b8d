using NerfSharp.Losses;
using NerfSharp.Tests.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Losses;

/// <summary>
/// The losses on rendering weights, <see cref="DistortionLoss"/> and <see cref="InterlevelLoss"/>: golden values,
/// the float kernels against O(n^2) / linear-search double references written from nerfstudio's definitions, and
/// finite-difference checks of dL/dweights, over packed rays with gaps, empty rays and single-sample rays.
/// </summary>
public class WeightLossTests
{
    [Fact]
    public void DistortionGoldenValues()
    {
        // Intervals [0, 1], [1, 3], weights (0.5, 0.25), midpoints 0.5 and 2:
        // inter = 2 * 0.5 * 0.25 * 1.5 = 0.375; intra = (0.25 * 1 + 0.0625 * 2) / 3 = 0.125; L = 0.5.
        // dL/dw0 = 2 * 0.25 * 1.5 + 2/3 * 0.5 * 1 = 1.0833333; dL/dw1 = 2 * 0.5 * 1.5 + 2/3 * 0.25 * 2 = 1.8333333.
        // The second ray has no samples.
        int[] start = [0, 2], count = [2, 0];
        float[] w = [0.5f, 0.25f], s = [0, 1], e = [1, 3];
        Assert.Equal(0.25, DistortionLoss.Forward(start, count, w, s, e, 0.5), 12);
        var g = new float[] { 1, 1 };
        DistortionLoss.Backward(start, count, w, s, e, 2.0, g);
        Assert.Equal(1 + (2 * 1.0833333f), g[0], 1e-6f);
        Assert.Equal(1 + (2 * 1.8333333f), g[1], 1e-6f);
        Assert.Throws<ArgumentException>(() => DistortionLoss.Forward(start, count, w, [1, 0], [3, 1], 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DistortionMatchesTheReferenceAndPassesTheFiniteDifferenceCheck(int seed)
    {
        var rng = new Random(seed);
        var (rayStart, rayCount, samples) = Packing([5, 0, 1, 30, 12, 0, 64], rng);
        var s = new float[samples];
        var e = new float[samples];
        var w = new float[samples];
        for (int r = 0; r < rayStart.Length; r++)
        {
            float t = (float)rng.NextDouble();
            for (int k = 0; k < rayCount[r]; k++)
            {
                int i = rayStart[r] + k;
                s[i] = t;
                t += (float)(0.01 + (0.1 * rng.NextDouble()));
                e[i] = t;
                w[i] = (float)(0.2 * rng.NextDouble());
            }
        }

        const double scale = 0.7;
        double[] wd = ToleranceAssert.ToDoubles(w);
        double Reference()
        {
            double loss = 0;
            for (int r = 0; r < rayStart.Length; r++)
            {
                for (int i = rayStart[r]; i < rayStart[r] + rayCount[r]; i++)
                {
                    double mi = 0.5 * ((double)s[i] + e[i]);
                    for (int j = rayStart[r]; j < rayStart[r] + rayCount[r]; j++)
                    {
                        loss += wd[i] * wd[j] * Math.Abs(mi - (0.5 * ((double)s[j] + e[j])));
                    }

                    loss += wd[i] * wd[i] * ((double)e[i] - s[i]) / 3;
                }
            }

            return scale * loss;
        }

        Assert.Equal(Reference(), DistortionLoss.Forward(rayStart, rayCount, w, s, e, scale), 1e-10);
        var g = new float[samples];
        g.AsSpan().Fill(0.25f); // accumulated onto
        DistortionLoss.Backward(rayStart, rayCount, w, s, e, scale, g);
        for (int i = 0; i < samples; i++)
        {
            g[i] -= 0.25f;
        }

        GradientCheck.Check(wd, Reference, ToleranceAssert.ToDoubles(g), probes: 80, eps: 1e-6, tolerance: 1e-5, floor: 1e-4, seed: seed);
    }

    [Fact]
    public void InterlevelGoldenValues()
    {
        // Proposal [0,1], [1,2], [2,3] with weights (0.2, 0.5, 0.1); final [0,0.5], [0.5,1.5], [1.5,3] with (0.3, 0.4, 0.2).
        // Final 0: lo = 1 - 1 = 0, hi = #(ends <= 0.5) = 0 -> W = 0.2 < 0.3: (0.1)^2 / (0.3 + 1e-7) = 0.033333322.
        // Final 1: lo = 0, hi = 1 -> W = 0.7 >= 0.4: 0. Final 2: lo = 1, hi = 3 clamped to 2 -> W = 0.6 >= 0.2: 0.
        // dL/dp0 = -2 * 0.1 / (0.3 + 1e-7) = -0.66666644, dL/dp1 = dL/dp2 = 0.
        int[] start = [0], count = [3];
        float[] s = [0, 0.5f, 1.5f], e = [0.5f, 1.5f, 3], w = [0.3f, 0.4f, 0.2f];
        float[] ps = [0, 1, 2], pe = [1, 2, 3], pw = [0.2f, 0.5f, 0.1f];
        double expected = 0.1 * 0.1 / (0.3 + 1e-7);
        Assert.Equal(expected, InterlevelLoss.Forward(start, count, s, e, w, start, count, ps, pe, pw, 1), 6);
        var g = new float[3];
        double loss = InterlevelLoss.Backward(start, count, s, e, w, start, count, ps, pe, pw, 0.5, g);
        Assert.Equal(0.5 * expected, loss, 6);
        Assert.Equal(-0.5 * 0.66666644f, g[0], 1e-5f);
        Assert.Equal(0f, g[1]);
        Assert.Equal(0f, g[2]);
    }

    [Theory]
    [InlineData(3, 32)]
    [InlineData(4, 32)]
    [InlineData(5, 600)] // proposal rays past the stack scratch limit
    public void InterlevelMatchesTheReferenceAndPassesTheFiniteDifferenceCheck(int seed, int proposalSamples)
    {
        var rng = new Random(seed);
        int[] finalCounts = [8, 0, 1, 16, 5, 12, 0];
        int[] proposalCounts = [proposalSamples, 7, 3, proposalSamples, 0, 1, 0];
        var (rayStart, rayCount, samples) = Packing(finalCounts, rng);
        var (pStart, pCount, pSamples) = Packing(proposalCounts, rng);
        var s = new float[samples];
        var e = new float[samples];
        var w = new float[samples];
        var ps = new float[pSamples];
        var pe = new float[pSamples];
        var pw = new float[pSamples];
        for (int r = 0; r < rayStart.Length; r++)
        {
            // Both levels tile [near, far]; the final level's edges fall anywhere among the proposal's.
            float near = (float)rng.NextDouble(), far = near + 1 + (float)rng.NextDouble();
            Tile(rng, near, far, s, e, rayStart[r], rayCount[r]);
            Tile(rng, near, far, ps, pe, pStart[r], pCount[r]);
            for (int i = rayStart[r]; i < rayStart[r] + rayCount[r]; i++)
            {
                w[i] = (float)(0.4 * rng.NextDouble() / Math.Max(1, rayCount[r] / 4));
            }

            for (int j = pStart[r]; j < pStart[r] + pCount[r]; j++)
            {
                pw[j] = (float)(0.3 * rng.NextDouble() / Math.Max(1, pCount[r] / 4));
            }
        }

        const double scale = 1.0 / 54;
        double[] pwd = ToleranceAssert.ToDoubles(pw);
        double Reference()
        {
            double loss = 0;
            for (int r = 0; r < rayStart.Length; r++)
            {
                int n = pCount[r], p0 = pStart[r];
                for (int i = rayStart[r]; i < rayStart[r] + rayCount[r]; i++)
                {
                    double outer = 0;
                    if (n > 0)
                    {
                        int startsAtMost = 0, endsAtMost = 0;
                        for (int j = 0; j < n; j++)
                        {
                            startsAtMost += ps[p0 + j] <= s[i] ? 1 : 0;
                            endsAtMost += pe[p0 + j] <= e[i] ? 1 : 0;
                        }

                        int lo = Math.Clamp(startsAtMost - 1, 0, n - 1), hi = Math.Clamp(endsAtMost, 0, n - 1);
                        for (int j = lo; j <= hi; j++)
                        {
                            outer += pwd[p0 + j];
                        }
                    }

                    double excess = Math.Max(w[i] - outer, 0);
                    loss += excess * excess / (w[i] + 1e-7);
                }
            }

            return scale * loss;
        }

        double value = InterlevelLoss.Forward(rayStart, rayCount, s, e, w, pStart, pCount, ps, pe, pw, scale);
        Assert.True(value > 0);
        Assert.Equal(Reference(), value, 1e-9);
        var g = new float[pSamples];
        g.AsSpan().Fill(-0.5f);
        Assert.Equal(value, InterlevelLoss.Backward(rayStart, rayCount, s, e, w, pStart, pCount, ps, pe, pw, scale, g), 1e-12);
        for (int j = 0; j < pSamples; j++)
        {
            g[j] += 0.5f;
        }

        Assert.Contains(g, v => v != 0);
        GradientCheck.Check(pwd, Reference, ToleranceAssert.ToDoubles(g), probes: 120, eps: 1e-7, tolerance: 1e-4, floor: 1e-5, seed: seed);
    }

    /// <summary>Ray ranges with an unused slot after every other ray; returns the buffer length needed.</summary>
    private static (int[] Start, int[] Count, int Samples) Packing(int[] counts, Random rng)
    {
        var start = new int[counts.Length];
        int next = rng.Next(2);
        for (int r = 0; r < counts.Length; r++)
        {
            start[r] = next;
            next += counts[r] + (r % 2);
        }

        return (start, (int[])counts.Clone(), next + 1);
    }

    /// <summary>n contiguous intervals of random widths exactly covering [near, far].</summary>
    private static void Tile(Random rng, float near, float far, float[] s, float[] e, int first, int n)
    {
        var cut = new double[n + 1];
        for (int k = 1; k <= n; k++)
        {
            cut[k] = cut[k - 1] + 0.2 + rng.NextDouble();
        }

        for (int k = 0; k < n; k++)
        {
            s[first + k] = k == 0 ? near : e[first + k - 1];
            e[first + k] = k == n - 1 ? far : (float)(near + ((far - near) * cut[k + 1] / cut[n]));
        }
    }
}
