namespace NerfSharp.Sampling;

/// <summary>
/// Interval lengths for volume rendering, as nerf-pytorch's <c>raw2outputs</c>: delta_i = (z_(i+1) - z_i) |d|
/// and, for the last sample of each ray, 1e10 |d| (an effectively infinite last interval).
/// </summary>
public static class SampleIntervals
{
    /// <summary>The length nerf-pytorch gives the last interval of a ray, before scaling by |d|.</summary>
    public const float LastInterval = 1e10f;

    /// <summary>
    /// Packed rays: ray r owns samples [rayStart[r], rayStart[r] + rayCount[r]) with ascending z.
    /// <paramref name="directionNorm"/> holds |d| per ray. Writes delta for every owned sample.
    /// </summary>
    public static void FromZVals(ReadOnlySpan<int> rayStart, ReadOnlySpan<int> rayCount, ReadOnlySpan<float> z, ReadOnlySpan<float> directionNorm, Span<float> delta)
    {
        if (rayCount.Length != rayStart.Length || directionNorm.Length < rayStart.Length)
        {
            throw new ArgumentException($"rayStart ({rayStart.Length}), rayCount ({rayCount.Length}) and directionNorm ({directionNorm.Length}) must describe the same rays");
        }

        for (int r = 0; r < rayStart.Length; r++)
        {
            int start = rayStart[r], n = rayCount[r];
            if (start < 0 || n < 0 || start + n > z.Length || start + n > delta.Length)
            {
                throw new ArgumentException($"ray {r} owns samples [{start}, {start + n}) outside z ({z.Length}) or delta ({delta.Length})");
            }

            if (n == 0)
            {
                continue;
            }

            float norm = directionNorm[r];
            int last = start + n - 1;
            for (int s = start; s < last; s++)
            {
                delta[s] = (z[s + 1] - z[s]) * norm;
            }

            delta[last] = LastInterval * norm;
        }
    }
}
