using NerfSharp.Sampling;

namespace NerfSharp.Models;

/// <summary>Where the ngp field is queried: each packed sample's midpoint, normalised to the scene box, and its ray's unit direction.</summary>
internal static class NgpSamplePoints
{
    /// <summary>
    /// Copies ray <paramref name="ray"/> of the batch into slot <paramref name="slot"/> of the march buffers (origin, and the
    /// direction normalised: the ngp model marches in world units) and returns the direction's length (0 for a zero direction,
    /// whose slot then holds a zero direction).
    /// </summary>
    public static float UnitRay(RayBatch rays, int ray, float[] origins, float[] unitDirections, int slot)
    {
        int o = 3 * ray, d = 3 * slot;
        float dx = rays.Directions[o], dy = rays.Directions[o + 1], dz = rays.Directions[o + 2];
        float norm = MathF.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
        float inv = norm > 0 ? 1f / norm : 0f;
        origins[d] = rays.Origins[o];
        origins[d + 1] = rays.Origins[o + 1];
        origins[d + 2] = rays.Origins[o + 2];
        unitDirections[d] = dx * inv;
        unitDirections[d + 1] = dy * inv;
        unitDirections[d + 2] = dz * inv;
        return norm;
    }

    /// <summary>
    /// The far bound of ray <paramref name="ray"/> in world units along its unit direction: the dataset's far plane (in
    /// units of the given direction; LLFF's NDC rays end at 1), or no bound where it is not finite and positive.
    /// </summary>
    public static float FarOf(RayBatch rays, int ray, float norm)
    {
        float far = rays.Far[ray];
        return far > 0 && float.IsFinite(far) && far > rays.Near[ray] ? far * norm : float.PositiveInfinity;
    }

    /// <summary>Below this many samples one thread fills them all.</summary>
    private const int ParallelThreshold = 1 << 14;

    /// <summary>
    /// For rays 0..rays-1 of <paramref name="samples"/> (ray r with origin and unit direction at [3r .. 3r+2]): the midpoint of
    /// every sample in [0,1]^3 box coordinates into <paramref name="positions"/> and the direction into
    /// <paramref name="directions"/>, both feature-major [3][samples.Samples].
    /// </summary>
    public static void Fill(RaySamples samples, int rays, SceneBox box, float[] origins, float[] unitDirections, float[] positions, float[] directions)
    {
        // Rays own disjoint sample ranges, so halves of the rays fill disjoint entries: two threads, same result.
        if (samples.Samples < ParallelThreshold || Environment.ProcessorCount < 2)
        {
            FillRange(samples, 0, rays, box, origins, unitDirections, positions, directions);
            return;
        }

        int half = rays / 2;
        Parallel.Invoke(
            () => FillRange(samples, 0, half, box, origins, unitDirections, positions, directions),
            () => FillRange(samples, half, rays, box, origins, unitDirections, positions, directions));
    }

    private static void FillRange(RaySamples samples, int firstRay, int endRay, SceneBox box, ReadOnlySpan<float> origins, ReadOnlySpan<float> unitDirections, Span<float> positions, Span<float> directions)
    {
        int count = samples.Samples;
        Span<float> px = positions[..count], py = positions.Slice(count, count), pz = positions.Slice(2 * count, count);
        Span<float> dx = directions[..count], dy = directions.Slice(count, count), dz = directions.Slice(2 * count, count);
        for (int r = firstRay; r < endRay; r++)
        {
            float ox = origins[3 * r], oy = origins[(3 * r) + 1], oz = origins[(3 * r) + 2];
            float ux = unitDirections[3 * r], uy = unitDirections[(3 * r) + 1], uz = unitDirections[(3 * r) + 2];
            int end = samples.RayStart[r] + samples.RayCount[r];
            for (int s = samples.RayStart[r]; s < end; s++)
            {
                float t = 0.5f * (samples.TStart[s] + samples.TEnd[s]);
                var (u, v, w) = box.ToUnit(ox + (ux * t), oy + (uy * t), oz + (uz * t));
                px[s] = u;
                py[s] = v;
                pz[s] = w;
                dx[s] = ux;
                dy[s] = uy;
                dz[s] = uz;
            }
        }
    }
}
