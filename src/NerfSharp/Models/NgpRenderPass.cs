using NerfSharp.Fields;
using NerfSharp.Sampling;

namespace NerfSharp.Models;

/// <summary>
/// instant-ngp's inference loop for the ngp model: rays are marched a few samples at a time through the occupancy grid,
/// the field is evaluated on those samples only, and each ray composites front to back, leaving the loop once its
/// transmittance falls below <see cref="TransmittanceEpsilon"/> (or its march ends). Samples behind opaque surfaces are
/// never evaluated. The number of samples per ray and round grows as rays finish, so every round fills the buffers.
/// Deterministic (no jitter); results match a full march and composite up to the early stop and float rounding.
/// </summary>
internal sealed class NgpRenderPass
{
    /// <summary>Transmittance below which a ray stops (nerfacc's early-stop epsilon).</summary>
    public const float TransmittanceEpsilon = 1e-4f;

    private const int MaxSamplesPerRound = 64;

    private readonly NgpField field;
    private readonly RayMarcher marcher = new();
    private readonly NgpField.Context context;
    private readonly RaySamples samples;
    private readonly int maxRays;
    private readonly int maxSamples;

    // Per alive ray (compacted each round).
    private readonly int[] alive;
    private readonly float[] origins;
    private readonly float[] directions;
    private readonly float[] tNext;
    private readonly float[] far;

    // Per ray of the chunk.
    private readonly float[] transmittance;
    private readonly float[] rgb;
    private readonly float[] depth;

    // Per sample.
    private readonly float[] positions;
    private readonly float[] sampleDirections;
    private readonly float[] density;
    private readonly float[] color;

    public NgpRenderPass(NgpField field, int maxRays, int maxSamples)
    {
        this.field = field;
        this.maxRays = maxRays;
        this.maxSamples = maxSamples;
        context = field.CreateContext(maxSamples);
        samples = new RaySamples(maxRays, maxSamples);
        alive = new int[maxRays];
        origins = new float[3 * maxRays];
        directions = new float[3 * maxRays];
        tNext = new float[maxRays];
        far = new float[maxRays];
        transmittance = new float[maxRays];
        rgb = new float[3 * maxRays];
        depth = new float[maxRays];
        positions = new float[3 * maxSamples];
        sampleDirections = new float[3 * maxSamples];
        density = new float[maxSamples];
        color = new float[3 * maxSamples];
    }

    public int MaxRays => maxRays;

    /// <summary>Renders every ray of the batch into <paramref name="output"/>, in chunks of <see cref="MaxRays"/>.</summary>
    public void Render(RayBatch rays, RenderedRays output, OccupancyGrid grid)
    {
        for (int start = 0; start < rays.Count; start += maxRays)
        {
            RenderChunk(rays, start, Math.Min(maxRays, rays.Count - start), output, grid);
        }
    }

    private void RenderChunk(RayBatch rays, int start, int n, RenderedRays output, OccupancyGrid grid)
    {
        int live = 0;
        for (int r = 0; r < n; r++)
        {
            transmittance[r] = 1f;
            rgb[3 * r] = rgb[(3 * r) + 1] = rgb[(3 * r) + 2] = 0f;
            depth[r] = 0f;
            float norm = NgpSamplePoints.UnitRay(rays, start + r, origins, directions, live);
            if (norm <= 0)
            {
                continue; // a zero direction sees only the background; its slot is reused by the next ray
            }

            alive[live] = r;
            tNext[live] = rays.Near[start + r] * norm;
            far[live] = NgpSamplePoints.FarOf(rays, start + r, norm);
            live++;
        }

        while (live > 0)
        {
            int perRay = Math.Clamp(maxSamples / live, 1, MaxSamplesPerRound);
            int marched = marcher.March(
                origins.AsSpan(0, 3 * live), directions.AsSpan(0, 3 * live), tNext.AsSpan(0, live), far.AsSpan(0, live),
                live, grid, grid.StepSize, perRay, samples, tNext.AsSpan(0, live));
            if (marched < live)
            {
                throw new InvalidOperationException($"{live} rays x {perRay} samples do not fit the render pass's {maxSamples} samples");
            }

            Evaluate(live);
            Composite(live);
            live = Compact(live);
        }

        for (int r = 0; r < n; r++)
        {
            float t = transmittance[r];
            float acc = 1f - t;
            int o = 3 * (start + r);
            output.Rgb[o] = rgb[3 * r] + (t * rays.Background[o]);
            output.Rgb[o + 1] = rgb[(3 * r) + 1] + (t * rays.Background[o + 1]);
            output.Rgb[o + 2] = rgb[(3 * r) + 2] + (t * rays.Background[o + 2]);
            float dx = rays.Directions[o], dy = rays.Directions[o + 1], dz = rays.Directions[o + 2];
            float norm = MathF.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
            float d = norm > 0 ? depth[r] / norm : 0f;
            output.Accumulation[start + r] = acc;
            output.Depth[start + r] = d;
            output.Disparity[start + r] = acc > 0 ? 1f / MathF.Max(1e-10f, d / acc) : 0f;
        }
    }

    /// <summary>Field at the midpoints of this round's samples (alive ray k owns samples RayStart[k] ..).</summary>
    private void Evaluate(int live)
    {
        int count = samples.Samples;
        if (count == 0)
        {
            return;
        }

        NgpSamplePoints.Fill(samples, live, field.Box, origins, directions, positions, sampleDirections);
        field.Forward(positions.AsSpan(0, 3 * count), sampleDirections.AsSpan(0, 3 * count), count, density, color, context);
    }

    /// <summary>Front-to-back compositing of this round's samples onto each alive ray's running sums.</summary>
    private void Composite(int live)
    {
        int count = samples.Samples;
        for (int k = 0; k < live; k++)
        {
            int r = alive[k];
            double t = transmittance[r];
            double cr = rgb[3 * r], cg = rgb[(3 * r) + 1], cb = rgb[(3 * r) + 2], d = depth[r];
            int end = samples.RayStart[k] + samples.RayCount[k];
            for (int s = samples.RayStart[k]; s < end && t >= TransmittanceEpsilon; s++)
            {
                double e = Math.Exp(-(double)density[s] * (samples.TEnd[s] - samples.TStart[s]));
                double w = t * (1.0 - e);
                cr += w * color[s];
                cg += w * color[count + s];
                cb += w * color[(2 * count) + s];
                d += w * 0.5 * (samples.TStart[s] + samples.TEnd[s]);
                t *= e;
            }

            transmittance[r] = (float)t;
            rgb[3 * r] = (float)cr;
            rgb[(3 * r) + 1] = (float)cg;
            rgb[(3 * r) + 2] = (float)cb;
            depth[r] = (float)d;
        }
    }

    /// <summary>Keeps the rays that are still visible and not at the end of their march; returns how many.</summary>
    private int Compact(int live)
    {
        int kept = 0;
        for (int k = 0; k < live; k++)
        {
            int r = alive[k];
            if (transmittance[r] < TransmittanceEpsilon || float.IsPositiveInfinity(tNext[k]))
            {
                continue;
            }

            alive[kept] = r;
            origins[3 * kept] = origins[3 * k];
            origins[(3 * kept) + 1] = origins[(3 * k) + 1];
            origins[(3 * kept) + 2] = origins[(3 * k) + 2];
            directions[3 * kept] = directions[3 * k];
            directions[(3 * kept) + 1] = directions[(3 * k) + 1];
            directions[(3 * kept) + 2] = directions[(3 * k) + 2];
            tNext[kept] = tNext[k];
            far[kept] = far[k];
            kept++;
        }

        return kept;
    }
}
