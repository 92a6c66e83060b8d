using NerfSharp.Configuration;
using NerfSharp.Fields;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Rendering;
using NerfSharp.Sampling;

namespace NerfSharp.Models;

/// <summary>
/// nerf-pytorch's NeRF: stratified coarse samples -> coarse field -> volume rendering -> PDF (hierarchical)
/// samples -> fine field on coarse+fine samples -> volume rendering; loss = MSE(fine) + MSE(coarse).
/// Rays are processed in chunks whose sample count fits the fields' workspaces (nerf-pytorch's netchunk),
/// forward and backward per chunk, so memory stays bounded at any batch or image size.
/// </summary>
public sealed class VanillaNerf : IRadianceModel
{
    private readonly VanillaNerfConfig config;
    private readonly (float R, float G, float B) background;
    private readonly ChunkBuffers buffers;

    public VanillaNerf(VanillaNerfConfig config, (float R, float G, float B) background, int pointsPerChunk = 1 << 16)
        : this(config, background, new ParameterGroup("default", new AdamConfig(), 5e-4, new ExponentialDecaySchedule(250_000)), pointsPerChunk)
    {
    }

    /// <summary>
    /// <paramref name="optimizer"/> gives the single parameter group's Adam settings, learning rate and schedule
    /// (nerf-pytorch: torch's Adam defaults, lrate, lrate * 0.1^(step / (lrate_decay * 1000))); its name is ignored.
    /// </summary>
    public VanillaNerf(VanillaNerfConfig config, (float R, float G, float B) background, ParameterGroup optimizer, int pointsPerChunk = 1 << 16)
    {
        if (config.Samples < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(config), "N_samples must be at least 2");
        }

        this.config = config;
        this.background = background;
        Parameters = new ParameterStore();
        Coarse = new VanillaNerfField(config.NetDepth, config.NetWidth, config.Multires, config.MultiresViews, config.UseViewDirs, Parameters, "coarse");
        Fine = config.Importance > 0
            ? new VanillaNerfField(config.NetDepthFine, config.NetWidthFine, config.Multires, config.MultiresViews, config.UseViewDirs, Parameters, "fine")
            : null;
        Parameters.Freeze();
        ParameterGroups = [optimizer with { Name = "default" }];
        int samplesPerRay = config.Samples + config.Importance;
        RaysPerChunk = Math.Max(1, pointsPerChunk / samplesPerRay);
        buffers = new ChunkBuffers(this, RaysPerChunk);
    }

    public ParameterStore Parameters { get; }

    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>Vanilla NeRF has no non-trainable state.</summary>
    public IReadOnlyList<StateTensor> State => [];

    public StepStatistics LastStep { get; private set; }

    public VanillaNerfField Coarse { get; }

    public VanillaNerfField? Fine { get; }

    /// <summary>Rays rendered together in one forward/backward pass.</summary>
    public int RaysPerChunk { get; }

    public VanillaNerfConfig Config => config;

    /// <summary>Sample depths of the last training chunk: coarse and importance samples merged, [rays][Samples + Importance] (tests).</summary>
    internal ReadOnlySpan<float> LastFineDepths => buffers.ZFine;

    /// <summary>The importance (PDF) samples alone of the last training chunk, [rays][Importance] (tests).</summary>
    internal ReadOnlySpan<float> LastImportanceDepths => buffers.ZImportance;

    public void Initialize(Rng rng)
    {
        Coarse.Initialize(rng);
        Fine?.Initialize(rng);
    }

    public void OnStateRestored()
    {
    }

    public void BeforeStep(long step, Rng rng)
    {
    }

    public RenderContext CreateRenderContext(int maxRays) => new VanillaRenderContext(maxRays, new ChunkBuffers(this, RaysPerChunk));

    public TrainLoss AccumulateGradients(RayBatch rays, ReadOnlySpan<float> targetRgb, int lossScaleRays, Rng rng)
    {
        if (targetRgb.Length < rays.Count * 3)
        {
            throw new ArgumentException("one target colour per ray is needed", nameof(targetRgb));
        }

        double scale = 2.0 / (3.0 * lossScaleRays);
        double sqFine = 0, sqCoarse = 0;
        for (int start = 0; start < rays.Count; start += RaysPerChunk)
        {
            int n = Math.Min(RaysPerChunk, rays.Count - start);
            RenderChunk(buffers, rays, start, n, training: true, rng);
            ReadOnlySpan<float> target = targetRgb.Slice(start * 3, n * 3);

            // Fine pass first (its sample positions are detached from the coarse pass, as in nerf-pytorch),
            // then the coarse pass with its own MSE term; dL/drgb is rewritten for each.
            if (Fine != null)
            {
                sqFine += LossGradient(buffers.Fine!.Rgb.AsSpan(0, n * 3), target, scale, buffers.DLdRgb);
                BackwardPass(Fine, buffers.Fine, n);
            }

            sqCoarse += LossGradient(buffers.Coarse.Rgb.AsSpan(0, n * 3), target, scale, buffers.DLdRgb);
            BackwardPass(Coarse, buffers.Coarse, n);
        }

        LastStep = new StepStatistics(rays.Count, (long)rays.Count * (config.Samples + config.Importance));
        double denom = 3.0 * lossScaleRays;
        double mseCoarse = sqCoarse / denom;
        double mseFine = Fine != null ? sqFine / denom : mseCoarse;
        return new TrainLoss(Fine != null ? mseFine + mseCoarse : mseCoarse, mseFine, mseCoarse);
    }

    public void Render(RayBatch rays, RenderedRays output, RenderContext context)
    {
        var b = context is VanillaRenderContext own ? own.Buffers : throw new ArgumentException("a render context of another model", nameof(context));
        for (int start = 0; start < rays.Count; start += RaysPerChunk)
        {
            int n = Math.Min(RaysPerChunk, rays.Count - start);
            RenderChunk(b, rays, start, n, training: false, rng: null);
            PassBuffers final = b.Fine ?? b.Coarse;
            final.Rgb.AsSpan(0, n * 3).CopyTo(output.Rgb.AsSpan(start * 3));
            final.Depth.AsSpan(0, n).CopyTo(output.Depth.AsSpan(start));
            final.Disparity.AsSpan(0, n).CopyTo(output.Disparity.AsSpan(start));
            final.Accumulation.AsSpan(0, n).CopyTo(output.Accumulation.AsSpan(start));
        }
    }

    /// <summary>Writes dL/drgb = scale * (rgb - target) and returns the sum of squared errors.</summary>
    private static double LossGradient(ReadOnlySpan<float> rgb, ReadOnlySpan<float> target, double scale, float[] dLdRgb)
    {
        double sum = 0;
        for (int i = 0; i < rgb.Length; i++)
        {
            double e = rgb[i] - target[i];
            sum += e * e;
            dLdRgb[i] = (float)(scale * e);
        }

        return sum;
    }

    /// <summary>nerf-pytorch render_rays for rays [start, start+n): fills the coarse and fine pass buffers.</summary>
    private void RenderChunk(ChunkBuffers b, RayBatch rays, int start, int n, bool training, Rng? rng)
    {
        bool perturb = training && config.Perturb;

        // |rays_d| scales the intervals; viewdirs are the normalised world direction (nerf-pytorch's render() takes them
        // from rays_d before ndc_rays, so on NDC rays they come from RayBatch.ViewDirections).
        float[] views = rays.ViewDirections ?? rays.Directions;
        for (int r = 0; r < n; r++)
        {
            int o = (start + r) * 3;
            float dx = rays.Directions[o], dy = rays.Directions[o + 1], dz = rays.Directions[o + 2];
            b.DirectionNorm[r] = MathF.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
            float vx = views[o], vy = views[o + 1], vz = views[o + 2];
            float norm = MathF.Sqrt((vx * vx) + (vy * vy) + (vz * vz));
            float inv = norm > 0 ? 1f / norm : 0f;
            b.ViewDirs[(r * 3) + 0] = vx * inv;
            b.ViewDirs[(r * 3) + 1] = vy * inv;
            b.ViewDirs[(r * 3) + 2] = vz * inv;
        }

        int ns = config.Samples;
        StratifiedSampler.Sample(
            rays.Near.AsSpan(start, n), rays.Far.AsSpan(start, n), n, ns, config.LinDisp, perturb, rng!, b.ZCoarse.AsSpan(0, n * ns));
        EvaluatePass(b, Coarse, b.Coarse, rays, start, n, b.ZCoarse, ns, training, rng);
        if (Fine == null)
        {
            return;
        }

        // Hierarchical sampling: bins are coarse midpoints, weights drop the first and last sample (nerf-pytorch).
        int ni = config.Importance;
        for (int r = 0; r < n; r++)
        {
            int zo = r * ns;
            int mo = r * (ns - 1);
            for (int k = 0; k < ns - 1; k++)
            {
                b.ZMid[mo + k] = 0.5f * (b.ZCoarse[zo + k] + b.ZCoarse[zo + k + 1]);
            }

            int wo = r * (ns - 2);
            for (int k = 0; k < ns - 2; k++)
            {
                b.WeightsInner[wo + k] = b.Coarse.Weights[zo + k + 1];
            }
        }

        PdfSampler.Sample(
            b.ZMid.AsSpan(0, n * (ns - 1)), ns - 1, b.WeightsInner.AsSpan(0, n * (ns - 2)), n, ni, deterministic: !perturb, perturb ? rng : null, b.ZImportance.AsSpan(0, n * ni));
        PdfSampler.MergeSorted(b.ZCoarse.AsSpan(0, n * ns), ns, b.ZImportance.AsSpan(0, n * ni), ni, n, b.ZFine.AsSpan(0, n * (ns + ni)));
        EvaluatePass(b, Fine, b.Fine!, rays, start, n, b.ZFine, ns + ni, training, rng);
    }

    /// <summary>Points along rays -> field -> activation -> volume rendering for one pass.</summary>
    private void EvaluatePass(ChunkBuffers b, VanillaNerfField field, PassBuffers p, RayBatch rays, int start, int n, float[] z, int perRay, bool training, Rng? rng)
    {
        int count = n * perRay;
        for (int r = 0; r < n; r++)
        {
            int o = (start + r) * 3;
            float ox = rays.Origins[o], oy = rays.Origins[o + 1], oz = rays.Origins[o + 2];
            float dx = rays.Directions[o], dy = rays.Directions[o + 1], dz = rays.Directions[o + 2];
            float vx = b.ViewDirs[r * 3], vy = b.ViewDirs[(r * 3) + 1], vz = b.ViewDirs[(r * 3) + 2];
            for (int k = 0; k < perRay; k++)
            {
                int s = (r * perRay) + k;
                float t = z[s];
                b.Points[s * 3] = ox + (dx * t);
                b.Points[(s * 3) + 1] = oy + (dy * t);
                b.Points[(s * 3) + 2] = oz + (dz * t);
                b.SampleDirs[s * 3] = vx;
                b.SampleDirs[(s * 3) + 1] = vy;
                b.SampleDirs[(s * 3) + 2] = vz;
            }
        }

        field.Forward(b.Points.AsSpan(0, count * 3), b.SampleDirs.AsSpan(0, count * 3), count, p.Raw, p.Field);
        ReadOnlySpan<float> noise = [];
        if (training && config.RawNoiseStd > 0)
        {
            float std = (float)config.RawNoiseStd;
            for (int i = 0; i < count; i++)
            {
                p.Noise[i] = rng!.NextGaussian() * std;
            }

            noise = p.Noise.AsSpan(0, count);
        }

        p.NoiseCount = noise.Length;
        VanillaNerfActivation.Forward(p.Raw.AsSpan(0, 4 * count), count, noise, p.Density.AsSpan(0, count), p.Color.AsSpan(0, 3 * count));
        p.Count = count;
        ReadOnlySpan<int> rayStart = p.RayStart.AsSpan(0, n);
        ReadOnlySpan<int> rayCount = p.RayCount.AsSpan(0, n);
        SampleIntervals.FromZVals(rayStart, rayCount, z.AsSpan(0, count), b.DirectionNorm.AsSpan(0, n), p.Delta.AsSpan(0, count));
        z.AsSpan(0, count).CopyTo(p.T);
        VolumeRenderer.Forward(
            rayStart, rayCount, p.Density.AsSpan(0, count), p.Delta.AsSpan(0, count), p.T.AsSpan(0, count),
            p.Color.AsSpan(0, 3 * count), count, background,
            p.Rgb.AsSpan(0, n * 3), p.Depth.AsSpan(0, n), p.Accumulation.AsSpan(0, n), p.Disparity.AsSpan(0, n), p.Weights.AsSpan(0, count));
    }

    /// <summary>Backpropagates buffers.DLdRgb through rendering, activation and the field of one pass.</summary>
    private void BackwardPass(VanillaNerfField field, PassBuffers p, int n)
    {
        int count = p.Count;
        ReadOnlySpan<int> rayStart = p.RayStart.AsSpan(0, n);
        ReadOnlySpan<int> rayCount = p.RayCount.AsSpan(0, n);
        VolumeRenderer.Backward(
            rayStart, rayCount, p.Density.AsSpan(0, count), p.Delta.AsSpan(0, count), p.T.AsSpan(0, count),
            p.Color.AsSpan(0, 3 * count), count, background,
            buffers.DLdRgb.AsSpan(0, n * 3), [], [],
            p.DLdDensity.AsSpan(0, count), p.DLdColor.AsSpan(0, 3 * count));
        ReadOnlySpan<float> noise = p.Noise.AsSpan(0, p.NoiseCount);
        VanillaNerfActivation.Backward(p.Raw.AsSpan(0, 4 * count), count, noise, p.DLdDensity.AsSpan(0, count), p.DLdColor.AsSpan(0, 3 * count), p.DLdRaw.AsSpan(0, 4 * count));
        field.Backward(p.Field, p.DLdRaw.AsSpan(0, 4 * count));
    }

    private sealed class VanillaRenderContext(int maxRays, ChunkBuffers buffers) : RenderContext(maxRays)
    {
        public ChunkBuffers Buffers { get; } = buffers;
    }

    /// <summary>Everything one pass (coarse or fine) keeps for its backward, sized for a full chunk.</summary>
    private sealed class PassBuffers
    {
        public PassBuffers(VanillaNerfField field, int rays, int perRay)
        {
            int samples = rays * perRay;
            Field = field.CreateWorkspace(samples);
            Raw = new float[4 * samples];
            Noise = new float[samples];
            Density = new float[samples];
            Color = new float[3 * samples];
            Delta = new float[samples];
            T = new float[samples];
            Weights = new float[samples];
            DLdDensity = new float[samples];
            DLdColor = new float[3 * samples];
            DLdRaw = new float[4 * samples];
            Rgb = new float[rays * 3];
            Depth = new float[rays];
            Accumulation = new float[rays];
            Disparity = new float[rays];
            RayStart = new int[rays];
            RayCount = new int[rays];
            for (int r = 0; r < rays; r++)
            {
                RayStart[r] = r * perRay;
                RayCount[r] = perRay;
            }
        }

        public VanillaNerfField.Workspace Field { get; }

        public int Count { get; set; }

        public int NoiseCount { get; set; }

        public float[] Raw { get; }

        public float[] Noise { get; }

        public float[] Density { get; }

        public float[] Color { get; }

        public float[] Delta { get; }

        public float[] T { get; }

        public float[] Weights { get; }

        public float[] DLdDensity { get; }

        public float[] DLdColor { get; }

        public float[] DLdRaw { get; }

        public float[] Rgb { get; }

        public float[] Depth { get; }

        public float[] Accumulation { get; }

        public float[] Disparity { get; }

        public int[] RayStart { get; }

        public int[] RayCount { get; }
    }

    /// <summary>Per-chunk buffers shared by the passes.</summary>
    private sealed class ChunkBuffers
    {
        public ChunkBuffers(VanillaNerf model, int rays)
        {
            int ns = model.config.Samples;
            int ni = model.config.Importance;
            int maxPerRay = ns + ni;
            DirectionNorm = new float[rays];
            ViewDirs = new float[rays * 3];
            ZCoarse = new float[rays * ns];
            ZMid = new float[rays * (ns - 1)];
            WeightsInner = new float[rays * Math.Max(1, ns - 2)];
            ZImportance = new float[rays * Math.Max(1, ni)];
            ZFine = new float[rays * maxPerRay];
            Points = new float[rays * maxPerRay * 3];
            SampleDirs = new float[rays * maxPerRay * 3];
            DLdRgb = new float[rays * 3];
            Coarse = new PassBuffers(model.Coarse, rays, ns);
            Fine = model.Fine != null ? new PassBuffers(model.Fine, rays, maxPerRay) : null;
        }

        public float[] DirectionNorm { get; }

        public float[] ViewDirs { get; }

        public float[] ZCoarse { get; }

        public float[] ZMid { get; }

        public float[] WeightsInner { get; }

        public float[] ZImportance { get; }

        public float[] ZFine { get; }

        public float[] Points { get; }

        public float[] SampleDirs { get; }

        public float[] DLdRgb { get; }

        public PassBuffers Coarse { get; }

        public PassBuffers? Fine { get; }
    }
}
