namespace NerfSharp.Sampling;

/// <summary>
/// nerfacc's <c>render_visibility_from_density</c> and the compaction that follows it: drops packed samples that
/// cannot matter for rendering, before the expensive (gradient-tracking) field evaluation of a training step.
/// Sample i of a ray has alpha_i = 1 - exp(-sigma_i delta_i) with delta_i = (tEnd_i - tStart_i) |d| (world length)
/// and transmittance T_i = exp(-sum over earlier samples j of the ray of sigma_j delta_j); it is kept when
/// T_i >= earlyStopEps and, if alphaThreshold > 0, alpha_i >= alphaThreshold. (nerfacc's sampling also lowers the
/// alpha threshold to the grid's mean; callers do that themselves if they want it.)
/// </summary>
public static class SampleVisibility
{
    /// <summary>nerfacc's default early-stop transmittance.</summary>
    public const float DefaultEarlyStopEps = 1e-4f;

    /// <summary>
    /// Writes keep[s] for the live samples of <paramref name="samples"/> from their densities (per world unit, no
    /// gradients). <paramref name="directionNorm"/> holds |d| per ray, or is empty for unit directions. Returns the
    /// number of samples kept.
    /// </summary>
    public static int Compute(
        RaySamples samples,
        ReadOnlySpan<float> density,
        ReadOnlySpan<float> directionNorm,
        float earlyStopEps,
        float alphaThreshold,
        Span<bool> keep)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int n = samples.Samples;
        if (density.Length < n || keep.Length < n)
        {
            throw new ArgumentException($"{n} samples need as many densities ({density.Length}) and keep flags ({keep.Length})");
        }

        if (!directionNorm.IsEmpty && directionNorm.Length < samples.Rays)
        {
            throw new ArgumentException($"directionNorm holds {directionNorm.Length} values for {samples.Rays} rays", nameof(directionNorm));
        }

        // Samples outside every live ray's range are not kept.
        keep[..n].Clear();
        float logEps = earlyStopEps > 0 ? MathF.Log(earlyStopEps) : float.NegativeInfinity;
        int kept = 0;
        for (int r = 0; r < samples.Rays; r++)
        {
            int start = samples.RayStart[r], end = start + samples.RayCount[r];
            float norm = directionNorm.IsEmpty ? 1.0f : directionNorm[r];

            // T_i >= eps  <=>  -(optical depth before i) >= ln eps; once false it stays false along the ray.
            float depth = 0;
            for (int s = start; s < end; s++)
            {
                if (-depth < logEps)
                {
                    break;
                }

                float tau = density[s] * (samples.TEnd[s] - samples.TStart[s]) * norm;
                bool visible = alphaThreshold <= 0 || 1.0f - MathF.Exp(-tau) >= alphaThreshold;
                keep[s] = visible;
                kept += visible ? 1 : 0;
                depth += tau;
            }
        }

        return kept;
    }

    /// <summary>
    /// Copies the kept samples of <paramref name="source"/> into <paramref name="destination"/> (same rays, ray order
    /// and sample order kept). <paramref name="keptFrom"/>, when not empty, receives for each destination sample its
    /// index in the source, so callers can gather other per-sample arrays.
    /// </summary>
    public static void Compact(RaySamples source, ReadOnlySpan<bool> keep, RaySamples destination, Span<int> keptFrom = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (ReferenceEquals(source, destination))
        {
            throw new ArgumentException("compaction needs a separate destination", nameof(destination));
        }

        if (keep.Length < source.Samples)
        {
            throw new ArgumentException($"{source.Samples} samples need as many keep flags, got {keep.Length}", nameof(keep));
        }

        int total = 0;
        for (int r = 0; r < source.Rays; r++)
        {
            int start = source.RayStart[r], end = start + source.RayCount[r];
            for (int s = start; s < end; s++)
            {
                total += keep[s] ? 1 : 0;
            }
        }

        if (total > destination.SampleCapacity)
        {
            throw new ArgumentException($"{total} kept samples exceed the destination's capacity of {destination.SampleCapacity}", nameof(destination));
        }

        if (!keptFrom.IsEmpty && keptFrom.Length < total)
        {
            throw new ArgumentException($"keptFrom holds {keptFrom.Length} entries for {total} kept samples", nameof(keptFrom));
        }

        destination.Reset(source.Rays);
        int w = 0;
        for (int r = 0; r < source.Rays; r++)
        {
            int start = source.RayStart[r], end = start + source.RayCount[r];
            destination.RayStart[r] = w;
            for (int s = start; s < end; s++)
            {
                if (!keep[s])
                {
                    continue;
                }

                destination.TStart[w] = source.TStart[s];
                destination.TEnd[w] = source.TEnd[s];
                destination.RayIndex[w] = r;
                if (!keptFrom.IsEmpty)
                {
                    keptFrom[w] = s;
                }

                w++;
            }

            destination.RayCount[r] = w - destination.RayStart[r];
        }

        destination.Samples = w;
    }
}
