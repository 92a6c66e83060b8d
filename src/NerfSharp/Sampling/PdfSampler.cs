using System.Buffers;
using NerfSharp.Numerics;

namespace NerfSharp.Sampling;

/// <summary>
/// Hierarchical (importance) sampling by inverting a piecewise-constant CDF, as nerf-pytorch's
/// <c>sample_pdf</c>: weights get +1e-5, pdf = w / sum(w), cdf = [0, cumsum(pdf)]; for each u,
/// i = searchsorted(cdf, u, right=True), below = max(i - 1, 0), above = min(i, bins - 1),
/// t = (u - cdf[below]) / (cdf[above] - cdf[below]) with a denominator below 1e-5 replaced by 1,
/// sample = bins[below] + t (bins[above] - bins[below]). Ray r has binsPerRay bin edges
/// bins[r * binsPerRay + j] and binsPerRay - 1 weights weights[r * (binsPerRay - 1) + j].
/// </summary>
public static class PdfSampler
{
    private const int StackLimit = 1024;

    /// <summary>
    /// Float sampler. Deterministic: u = linspace(0, 1, samplesPerRay) for every ray; otherwise samplesPerRay
    /// uniform numbers per ray from <paramref name="rng"/> (ray-major), sorted before inversion. Writes
    /// samples[r * samplesPerRay + k], ascending per ray in both modes, ready for <see cref="MergeSorted"/>.
    /// (nerf-pytorch leaves random samples unsorted and sorts after concatenating with the coarse z; the inverse
    /// CDF is monotone, so sorting u first gives the same set of samples.)
    /// </summary>
    public static void Sample(ReadOnlySpan<float> bins, int binsPerRay, ReadOnlySpan<float> weights, int rayCount, int samplesPerRay, bool deterministic, Rng? rng, Span<float> samples)
    {
        if (!deterministic)
        {
            ArgumentNullException.ThrowIfNull(rng);
        }

        SampleCore(bins, binsPerRay, weights, rayCount, samplesPerRay, deterministic ? UMode.Linspace : UMode.Random, rng, default, samples);
    }

    /// <summary>
    /// Float sampler with given u in [0, 1]: u.Length == samplesPerRay (the same u for every ray) or rayCount * samplesPerRay.
    /// Samples come out in the order of u.
    /// </summary>
    public static void Sample(ReadOnlySpan<float> bins, int binsPerRay, ReadOnlySpan<float> weights, int rayCount, int samplesPerRay, ReadOnlySpan<float> u, Span<float> samples)
    {
        CheckU(u.Length, rayCount, samplesPerRay);
        SampleCore(bins, binsPerRay, weights, rayCount, samplesPerRay, UMode.Given, null, u, samples);
    }

    /// <summary>
    /// Double-precision scalar reference (golden tests) with given u: u.Length == samplesPerRay (shared by all rays)
    /// or rayCount * samplesPerRay.
    /// </summary>
    public static void Sample(ReadOnlySpan<double> bins, int binsPerRay, ReadOnlySpan<double> weights, int rayCount, int samplesPerRay, ReadOnlySpan<double> u, Span<double> samples)
    {
        CheckShapes(bins.Length, binsPerRay, weights.Length, rayCount, samplesPerRay, samples.Length);
        CheckU(u.Length, rayCount, samplesPerRay);
        int nw = binsPerRay - 1;
        double[] cdf = new double[binsPerRay];
        for (int r = 0; r < rayCount; r++)
        {
            ReadOnlySpan<double> w = weights.Slice(r * nw, nw);
            double sum = 0;
            for (int j = 0; j < nw; j++)
            {
                sum += w[j] + 1e-5;
            }

            cdf[0] = 0;
            double running = 0;
            for (int j = 0; j < nw; j++)
            {
                running += (w[j] + 1e-5) / sum;
                cdf[j + 1] = running;
            }

            ReadOnlySpan<double> b = bins.Slice(r * binsPerRay, binsPerRay);
            ReadOnlySpan<double> ur = u.Length == samplesPerRay ? u : u.Slice(r * samplesPerRay, samplesPerRay);
            for (int k = 0; k < samplesPerRay; k++)
            {
                double uk = ur[k];
                int i = 0;
                while (i < binsPerRay && cdf[i] <= uk)
                {
                    i++;
                }

                int below = Math.Max(i - 1, 0);
                int above = Math.Min(i, binsPerRay - 1);
                double denom = cdf[above] - cdf[below];
                if (denom < 1e-5)
                {
                    denom = 1;
                }

                double t = (uk - cdf[below]) / denom;
                samples[(r * samplesPerRay) + k] = b[below] + (t * (b[above] - b[below]));
            }
        }
    }

    /// <summary>
    /// Merges two ascending per-ray lists into one ascending list per ray (z_vals with the fine samples):
    /// merged[r * (aPerRay + bPerRay) + ...]. Stable: on ties the entry from <paramref name="a"/> comes first.
    /// </summary>
    public static void MergeSorted(ReadOnlySpan<float> a, int aPerRay, ReadOnlySpan<float> b, int bPerRay, int rayCount, Span<float> merged)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(aPerRay);
        ArgumentOutOfRangeException.ThrowIfNegative(bPerRay);
        ArgumentOutOfRangeException.ThrowIfNegative(rayCount);
        int m = aPerRay + bPerRay;
        if (a.Length < rayCount * aPerRay || b.Length < rayCount * bPerRay || merged.Length < rayCount * m)
        {
            throw new ArgumentException($"a ({a.Length}), b ({b.Length}) or merged ({merged.Length}) is too short for {rayCount} rays of {aPerRay} + {bPerRay}");
        }

        for (int r = 0; r < rayCount; r++)
        {
            ReadOnlySpan<float> ar = a.Slice(r * aPerRay, aPerRay);
            ReadOnlySpan<float> br = b.Slice(r * bPerRay, bPerRay);
            Span<float> o = merged.Slice(r * m, m);
            int i = 0, j = 0, k = 0;
            while (i < aPerRay && j < bPerRay)
            {
                o[k++] = br[j] < ar[i] ? br[j++] : ar[i++];
            }

            while (i < aPerRay)
            {
                o[k++] = ar[i++];
            }

            while (j < bPerRay)
            {
                o[k++] = br[j++];
            }
        }
    }

    private enum UMode
    {
        Linspace,
        Random,
        Given,
    }

    private static void SampleCore(ReadOnlySpan<float> bins, int binsPerRay, ReadOnlySpan<float> weights, int rayCount, int samplesPerRay, UMode mode, Rng? rng, ReadOnlySpan<float> givenU, Span<float> samples)
    {
        CheckShapes(bins.Length, binsPerRay, weights.Length, rayCount, samplesPerRay, samples.Length);
        int nw = binsPerRay - 1;
        float[]? rented = null;
        Span<float> cdf = binsPerRay <= StackLimit ? stackalloc float[binsPerRay] : (rented = ArrayPool<float>.Shared.Rent(binsPerRay)).AsSpan(0, binsPerRay);
        float step = samplesPerRay > 1 ? 1.0f / (samplesPerRay - 1) : 0.0f;
        try
        {
            for (int r = 0; r < rayCount; r++)
            {
                ReadOnlySpan<float> w = weights.Slice(r * nw, nw);
                float sum = 0;
                for (int j = 0; j < nw; j++)
                {
                    sum += w[j] + 1e-5f;
                }

                float inv = 1.0f / sum;
                float running = 0;
                cdf[0] = 0;
                for (int j = 0; j < nw; j++)
                {
                    running += (w[j] + 1e-5f) * inv;
                    cdf[j + 1] = running;
                }

                ReadOnlySpan<float> b = bins.Slice(r * binsPerRay, binsPerRay);
                Span<float> o = samples.Slice(r * samplesPerRay, samplesPerRay);

                // o holds u first and is then mapped in place through the inverse CDF.
                switch (mode)
                {
                    case UMode.Linspace:
                        for (int k = 0; k < samplesPerRay; k++)
                        {
                            o[k] = k * step;
                        }

                        break;
                    case UMode.Random:
                        for (int k = 0; k < samplesPerRay; k++)
                        {
                            o[k] = rng!.NextFloat();
                        }

                        o.Sort();
                        break;
                    default:
                        (givenU.Length == samplesPerRay ? givenU : givenU.Slice(r * samplesPerRay, samplesPerRay)).CopyTo(o);
                        break;
                }

                bool ascending = mode != UMode.Given;
                int i = 0;
                for (int k = 0; k < samplesPerRay; k++)
                {
                    float u = o[k];
                    if (ascending)
                    {
                        // u ascending: continue the search where the previous u stopped.
                        while (i < binsPerRay && cdf[i] <= u)
                        {
                            i++;
                        }
                    }
                    else
                    {
                        i = UpperBound(cdf, u);
                    }

                    int below = Math.Max(i - 1, 0);
                    int above = Math.Min(i, binsPerRay - 1);
                    float denom = cdf[above] - cdf[below];
                    if (denom < 1e-5f)
                    {
                        denom = 1;
                    }

                    float t = (u - cdf[below]) / denom;
                    o[k] = b[below] + (t * (b[above] - b[below]));
                }
            }
        }

        finally
        {
            if (rented != null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>searchsorted(right=True): the number of entries of the ascending <paramref name="cdf"/> that are &lt;= u.</summary>
    private static int UpperBound(ReadOnlySpan<float> cdf, float u)
    {
        int lo = 0, hi = cdf.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] <= u)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static void CheckShapes(int binsLength, int binsPerRay, int weightsLength, int rayCount, int samplesPerRay, int samplesLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(binsPerRay, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(rayCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplesPerRay);
        if (binsLength < rayCount * binsPerRay || weightsLength < rayCount * (binsPerRay - 1) || samplesLength < rayCount * samplesPerRay)
        {
            throw new ArgumentException($"bins ({binsLength}), weights ({weightsLength}) or samples ({samplesLength}) too short for {rayCount} rays of {binsPerRay} bins and {samplesPerRay} samples");
        }
    }

    private static void CheckU(int uLength, int rayCount, int samplesPerRay)
    {
        if (uLength != samplesPerRay && uLength != rayCount * samplesPerRay)
        {
            throw new ArgumentException($"u holds {uLength} values: give {samplesPerRay} (shared) or {rayCount * samplesPerRay} (per ray)", "u");
        }
    }
}
