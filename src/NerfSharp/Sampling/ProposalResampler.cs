namespace NerfSharp.Sampling;

/// <summary>
/// nerfstudio's <c>PDFSampler</c> as the proposal sampler uses it (include_original = false), on packed samples in
/// normalised spacing coordinates: a ray's m contiguous intervals (edges s_0 .. s_m) with weights w_j (raised to the
/// annealing power, then + <see cref="HistogramPadding"/>, then padded so they sum to at least 1e-5) give
/// cdf = [0, min(1, cumsum(w) / sum(w))]; n + 1 values u (training: k / (n + 1) + one jitter per ray / (n + 1);
/// evaluation: (k + 1/2) / (n + 1)) are inverted like the PDF sampler of nerf-pytorch (searchsorted right, below and above
/// clamped to the edges, t = clip((u - cdf_below) / (cdf_above - cdf_below), 0, 1), 0 where 0/0) into n + 1 new edges,
/// hence n new contiguous intervals per ray. The new samples' distances come from <see cref="PiecewiseSampler.ToDistance"/>.
/// No gradient flows through the resampling (nerfstudio detaches the bins).
/// </summary>
public static class ProposalResampler
{
    /// <summary>nerfstudio's histogram_padding.</summary>
    public const float HistogramPadding = 0.01f;

    private const float MinimumSum = 1e-5f;

    /// <summary>
    /// Resamples rays [firstRay, endRay) of <paramref name="source"/> into <paramref name="target"/> (ray r owns samples
    /// [r n, (r + 1) n) there). <paramref name="near"/>/<paramref name="far"/> are the rays' world bounds (for the spacing map);
    /// <paramref name="cdfScratch"/> holds at least the most source samples of a ray + 1 values per thread.
    /// </summary>
    public static void Resample(
        RaySamples source,
        ReadOnlySpan<float> sourceSpacingStart,
        ReadOnlySpan<float> sourceSpacingEnd,
        ReadOnlySpan<float> weights,
        float anneal,
        ReadOnlySpan<float> near,
        ReadOnlySpan<float> far,
        int firstRay,
        int endRay,
        int n,
        ReadOnlySpan<float> jitter,
        RaySamples target,
        Span<float> spacingStart,
        Span<float> spacingEnd,
        Span<float> cdfScratch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        int bins = n + 1;
        for (int r = firstRay; r < endRay; r++)
        {
            int first = r * n;
            target.RayStart[r] = first;
            target.RayCount[r] = n;
            int s0 = source.RayStart[r], m = source.RayCount[r];
            float sNear = PiecewiseSampler.Spacing(near[r]), sFar = PiecewiseSampler.Spacing(far[r]);
            if (m == 0)
            {
                // Nothing to resample from: uniform edges over the whole ray.
                for (int k = 0; k < n; k++)
                {
                    Write(first + k, r, (float)k / n, (float)(k + 1) / n, sNear, sFar, target, spacingStart, spacingEnd);
                }

                continue;
            }

            Span<float> cdf = cdfScratch[..(m + 1)];
            double sum = 0;
            for (int j = 0; j < m; j++)
            {
                sum += Pow(weights[s0 + j], anneal) + HistogramPadding;
            }

            double padding = Math.Max(MinimumSum - sum, 0) / m;
            double total = sum + (padding * m);
            double running = 0;
            cdf[0] = 0;
            for (int j = 0; j < m; j++)
            {
                running += Pow(weights[s0 + j], anneal) + HistogramPadding + padding;
                cdf[j + 1] = (float)Math.Min(1.0, running / total);
            }

            float jitterR = jitter.IsEmpty ? 0f : jitter[r];
            float previous = 0;
            int i = 0;
            for (int k = 0; k < bins; k++)
            {
                float u = jitter.IsEmpty ? (k + 0.5f) / bins : (k + jitterR) / bins;
                while (i <= m && cdf[i] <= u)
                {
                    i++;
                }

                int below = Math.Clamp(i - 1, 0, m), above = Math.Clamp(i, 0, m);
                float cdfBelow = cdf[below], cdfAbove = cdf[above];
                float binBelow = EdgeOf(source, sourceSpacingStart, sourceSpacingEnd, s0, m, below);
                float binAbove = EdgeOf(source, sourceSpacingStart, sourceSpacingEnd, s0, m, above);
                float denom = cdfAbove - cdfBelow;
                float t = denom != 0 ? Math.Clamp((u - cdfBelow) / denom, 0f, 1f) : 0f;
                if (float.IsNaN(t))
                {
                    t = 0f;
                }

                // max: a + t (b - a) can round one ulp past b; edges must not decrease.
                float edge = binBelow + (t * (binAbove - binBelow));
                if (k > 0)
                {
                    edge = MathF.Max(edge, previous);
                }

                if (k > 0)
                {
                    Write(first + k - 1, r, previous, edge, sNear, sFar, target, spacingStart, spacingEnd);
                }

                previous = edge;
            }
        }
    }

    private static double Pow(float w, float anneal) => anneal == 1f ? w : Math.Pow(Math.Max(w, 0f), anneal);

    /// <summary>Edge j (0..m) of a ray's m contiguous source intervals, in spacing coordinates.</summary>
    private static float EdgeOf(RaySamples source, ReadOnlySpan<float> spacingStart, ReadOnlySpan<float> spacingEnd, int s0, int m, int j) =>
        j < m ? spacingStart[s0 + j] : spacingEnd[s0 + m - 1];

    private static void Write(int i, int r, float s, float e, float sNear, float sFar, RaySamples target, Span<float> spacingStart, Span<float> spacingEnd)
    {
        spacingStart[i] = s;
        spacingEnd[i] = e;
        target.TStart[i] = PiecewiseSampler.ToDistance(s, sNear, sFar);
        target.TEnd[i] = PiecewiseSampler.ToDistance(e, sNear, sFar);
        target.RayIndex[i] = r;
    }
}
