using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Encodings;
using NerfSharp.Fields;
using NerfSharp.Losses;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Rendering;
using NerfSharp.Sampling;

namespace NerfSharp.Models;

/// <summary>
/// instant-ngp's NeRF on the CPU: rays -> march through the occupancy grid (stratified in training) -> hash-grid field
/// at the sample midpoints -> weights from densities -> colour and opacity accumulated along rays over the ray's
/// background -> photometric loss. The occupancy grid is updated by the per-step hook and saved in checkpoints.
/// Rays are marched with unit directions (t in world units); depth is reported in units of the ray's given direction.
/// </summary>
public sealed class NgpModel : IRadianceModel
{
    private const string GridStateName = "occupancy_grid";

    private readonly NgpConfig config;
    private readonly RgbLoss loss;
    private readonly IDensityField gridQuery;
    private readonly int maxRays;
    private readonly int maxSamples;
    private Pass? train;

    /// <param name="learningRate">Base learning rate of both groups (instant-ngp: 1e-2).</param>
    /// <param name="maxRays">Most rays one training call passes.</param>
    /// <param name="maxSamples">Most samples one training step evaluates (rays beyond are left out of that step).</param>
    /// <param name="cameraOptimizer">Pose refinement of the training cameras, registered in this model's parameters (null: none).</param>
    public NgpModel(NgpConfig config, SceneBox box, double learningRate, int maxRays, int maxSamples, CameraOptimizer? cameraOptimizer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        this.config = config;
        Parameters = new ParameterStore();
        var hash = new HashGridConfig(config.HashLevels, config.HashFeaturesPerLevel, config.Log2HashmapSize, config.BaseResolution, config.ResolvedMaxResolution());
        Field = new NgpField(hash, box, Parameters);
        cameraOptimizer?.Register(Parameters);
        CameraOptimizer = cameraOptimizer;
        Parameters.Freeze();
        double[] milestones = config.LearningRateMilestones
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(m => double.Parse(m, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();
        var schedule = new WarmupMultiStepSchedule(config.LearningRateWarmupSteps, Milestones: milestones);
        ParameterGroups =
        [
            new ParameterGroup("encoding", new AdamConfig(0.9, 0.99, 1e-15), learningRate, schedule),
            new ParameterGroup("mlp", new AdamConfig(0.9, 0.99, 1e-15, config.MlpWeightDecay), learningRate, schedule),
            .. cameraOptimizer is null ? Array.Empty<ParameterGroup>() : [cameraOptimizer.Group],
        ];
        Grid = new OccupancyGrid(box, new OccupancyGridConfig
        {
            Resolution = config.GridResolution,
            WarmupSteps = config.GridWarmupSteps,
            StepSize = box.Diagonal / config.RenderStepsPerDiagonal,
        });
        State = [new StateTensor(GridStateName, [config.GridResolution, config.GridResolution, config.GridResolution], Grid.Values)];
        loss = config.Loss == "huber" ? new RgbLoss(RgbLossKind.Huber, 0.1) : new RgbLoss(RgbLossKind.Mse);
        gridQuery = Field.CreateDensityQuery(1 << 16);
        this.maxRays = maxRays;
        this.maxSamples = maxSamples;
    }

    public NgpField Field { get; }

    public OccupancyGrid Grid { get; }

    public ParameterStore Parameters { get; }

    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    public IReadOnlyList<StateTensor> State { get; }

    public StepStatistics LastStep { get; private set; }

    public CameraOptimizer? CameraOptimizer { get; }

    /// <summary>Cumulative seconds spent in each phase of training steps (for benchmarks and profiling).</summary>
    public NgpPhaseTimes Times { get; } = new();

    public void Initialize(Rng rng)
    {
        Field.Initialize(rng);
        CameraOptimizer?.Initialize();
        Array.Clear(Grid.Values);
        Grid.RestoreState(Grid.Values);
    }

    public void OnStateRestored() => Grid.RestoreState(Grid.Values);

    public void BeforeStep(long step, Rng rng)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        Grid.Update(step, gridQuery, rng);
        Times.GridUpdate += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    public TrainLoss AccumulateGradients(RayBatch rays, ReadOnlySpan<float> targetRgb, int lossScaleRays, Rng rng)
    {
        Pass p = train ??= new Pass(Field, maxRays, maxSamples);
        if (rays.Count > maxRays)
        {
            throw new ArgumentException($"{rays.Count} rays exceed the {maxRays} this model was sized for", nameof(rays));
        }

        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        int n = p.March(rays, 0, rays.Count, Grid, rng);
        long tm = System.Diagnostics.Stopwatch.GetTimestamp();
        Times.MarchedSamples += p.Samples.Samples;
        if (config.TrainEarlyStop)
        {
            p.PruneInvisible(n, (float)config.AlphaThreshold);
        }

        Times.Prune += System.Diagnostics.Stopwatch.GetElapsedTime(tm).TotalSeconds;

        int s = p.Samples.Samples;
        long t1 = System.Diagnostics.Stopwatch.GetTimestamp();
        p.Evaluate(rays, 0, n, training: true);
        long t2 = System.Diagnostics.Stopwatch.GetTimestamp();
        p.Composite(rays, 0, n);

        // Loss over the rays that fit this step's sample budget (all of them but for the first steps).
        double mse = 0;
        for (int i = 0; i < 3 * n; i++)
        {
            double e = p.Rgb[i] - targetRgb[i];
            mse += e * e;
        }

        int scaleRays = n == rays.Count ? lossScaleRays : Math.Max(1, n);
        double value = loss.Evaluate(p.Rgb.AsSpan(0, 3 * n), targetRgb[..(3 * n)], p.DLdRgb.AsSpan(0, 3 * n), 3.0 * scaleRays);
        long t3 = System.Diagnostics.Stopwatch.GetTimestamp();
        p.Backward(rays, 0, n, Times);
        long t4 = System.Diagnostics.Stopwatch.GetTimestamp();
        Times.March += (t1 - t0) / (double)System.Diagnostics.Stopwatch.Frequency;
        Times.FieldForward += (t2 - t1) / (double)System.Diagnostics.Stopwatch.Frequency;
        Times.Composite += (t3 - t2) / (double)System.Diagnostics.Stopwatch.Frequency;
        Times.Backward += (t4 - t3) / (double)System.Diagnostics.Stopwatch.Frequency;
        Times.Steps++;
        Times.Samples += s;
        LastStep = new StepStatistics(n, s);
        return new TrainLoss(value, n > 0 ? mse / (3.0 * n) : 0);
    }

    public RenderContext CreateRenderContext(int maxRays) =>
        new NgpRenderContext(maxRays, new NgpRenderPass(Field, Math.Min(maxRays, 1 << 14), 1 << 18));

    public void Render(RayBatch rays, RenderedRays output, RenderContext context)
    {
        NgpRenderPass pass = context is NgpRenderContext own ? own.Pass : throw new ArgumentException("a render context of another model", nameof(context));
        pass.Render(rays, output, Grid);
    }

    private sealed class NgpRenderContext(int maxRays, NgpRenderPass pass) : RenderContext(maxRays)
    {
        public NgpRenderPass Pass { get; } = pass;
    }

    /// <summary>The buffers and steps of one march-evaluate-composite pass over up to MaxRays rays.</summary>
    private sealed class Pass
    {
        private readonly NgpField field;
        private readonly RayMarcher marcher = new();
        private readonly NgpField.Context context;

        public Pass(NgpField field, int maxRays, int maxSamples)
        {
            this.field = field;
            MaxRays = maxRays;
            marched = new RaySamples(maxRays, maxSamples);
            visible = new RaySamples(maxRays, maxSamples);
            keep = new bool[maxSamples];
            keptFrom = new int[maxSamples];
            Samples = marched;
            context = field.CreateContext(maxSamples);
            Origins = new float[3 * maxRays];
            UnitDirections = new float[3 * maxRays];
            Near = new float[maxRays];
            Far = new float[maxRays];
            Positions = new float[3 * maxSamples];
            SampleDirections = new float[3 * maxSamples];
            Density = new float[maxSamples];
            Color = new float[3 * maxSamples];
            Weights = new float[maxSamples];
            DLdWeights = new float[maxSamples];
            DLdDensity = new float[maxSamples];
            DLdColor = new float[3 * maxSamples];
            Rgb = new float[3 * maxRays];
            Accumulation = new float[maxRays];
            DLdRgb = new float[3 * maxRays];
            DLdAccumulation = new float[maxRays];
        }

        private readonly RaySamples marched;
        private readonly RaySamples visible;
        private readonly bool[] keep;
        private readonly int[] keptFrom;
        private bool densityPassReusable;
        private NgpRayGradients? rayGradients;

        public int MaxRays { get; }

        /// <summary>The samples of the current step: as marched, or after <see cref="PruneInvisible"/>.</summary>
        public RaySamples Samples { get; private set; }

        public float[] Origins { get; }

        public float[] UnitDirections { get; }

        public float[] Near { get; }

        public float[] Far { get; }

        public float[] Positions { get; }

        public float[] SampleDirections { get; }

        public float[] Density { get; }

        public float[] Color { get; }

        public float[] Weights { get; }

        public float[] DLdWeights { get; }

        public float[] DLdDensity { get; }

        public float[] DLdColor { get; }

        public float[] Rgb { get; }

        public float[] Accumulation { get; }

        public float[] DLdRgb { get; }

        public float[] DLdAccumulation { get; }

        /// <summary>Marches rays [start, start + want) of the batch; returns how many fit (ray order).</summary>
        public int March(RayBatch rays, int start, int want, OccupancyGrid grid, Rng? jitter)
        {
            for (int r = 0; r < want; r++)
            {
                float norm = NgpSamplePoints.UnitRay(rays, start + r, Origins, UnitDirections, r);

                // The box clips each ray; the dataset's near and far planes (in units of the given direction) still apply.
                Near[r] = rays.Near[start + r] * norm;
                Far[r] = NgpSamplePoints.FarOf(rays, start + r, norm);
            }

            Samples = marched;
            densityPassReusable = false;
            return marcher.March(
                Origins.AsSpan(0, 3 * want), UnitDirections.AsSpan(0, 3 * want), Near.AsSpan(0, want), Far.AsSpan(0, want),
                want, grid, grid.StepSize, jitter, marched);
        }

        /// <summary>
        /// nerfacc's training-time visibility: the densities of all marched samples (no gradients) decide which samples
        /// can matter (transmittance at least 1e-4 before them, alpha at least <paramref name="alphaThreshold"/>); only
        /// those go on to the field's full forward and backward. Returns the samples kept.
        /// </summary>
        public int PruneInvisible(int n, float alphaThreshold)
        {
            RaySamples marched = Samples;
            int count = marched.Samples;
            FillPositions(marched, n);
            field.Density(Positions.AsSpan(0, 3 * count), count, Density, context);
            int kept = SampleVisibility.Compute(marched, Density, [], NgpRenderPass.TransmittanceEpsilon, alphaThreshold, keep);
            SampleVisibility.Compact(marched, keep, visible, keptFrom);
            Samples = visible;
            densityPassReusable = true;
            return kept;
        }

        /// <summary>Field at every sample's midpoint: density and colour (saved for backward when training).</summary>
        public void Evaluate(RayBatch rays, int start, int n, bool training)
        {
            int count = Samples.Samples;
            FillPositions(Samples, n);
            if (densityPassReusable)
            {
                // The kept samples' hash features were computed by the visibility pass: reuse them (same bits).
                densityPassReusable = false;
                field.ForwardFromDensityPass(keptFrom, Positions.AsSpan(0, 3 * count), SampleDirections.AsSpan(0, 3 * count), count, Density, Color, context);
            }
            else
            {
                field.Forward(Positions.AsSpan(0, 3 * count), SampleDirections.AsSpan(0, 3 * count), count, Density, Color, context);
            }
        }

        /// <summary>Box-normalised midpoints and unit directions of the samples, feature-major [3][count].</summary>
        private void FillPositions(RaySamples samples, int n) =>
            NgpSamplePoints.Fill(samples, n, field.Box, Origins, UnitDirections, Positions, SampleDirections);

        /// <summary>Weights, then colour and opacity per ray, over each ray's background.</summary>
        public void Composite(RayBatch rays, int start, int n) => OnRayHalves(n, (a, b) => CompositeRays(rays, start, a, b));

        /// <summary>Runs <paramref name="body"/> on rays [0, n/2) and [n/2, n) on two threads (rays own disjoint samples: same result as one pass).</summary>
        private void OnRayHalves(int n, Action<int, int> body)
        {
            if (Samples.Samples < (1 << 14) || Environment.ProcessorCount < 2)
            {
                body(0, n);
                return;
            }

            int half = n / 2;
            Parallel.Invoke(() => body(0, half), () => body(half, n));
        }

        /// <summary>Weights, colour and opacity of rays [a, b) of the pass (training needs no depth; rendering is NgpRenderPass).</summary>
        private void CompositeRays(RayBatch rays, int start, int a, int b)
        {
            RaySamples samples = Samples;
            int count = samples.Samples;
            int m = b - a;
            ReadOnlySpan<int> rayStart = samples.RayStart.AsSpan(a, m), rayCount = samples.RayCount.AsSpan(a, m);
            RenderWeights.Forward(rayStart, rayCount, Density, samples.TStart, samples.TEnd, Weights, []);
            RayAccumulation.Forward(rayStart, rayCount, Weights, Color, 3, count, Rgb.AsSpan(3 * a, 3 * m));
            RayAccumulation.Accumulation(rayStart, rayCount, Weights, Accumulation.AsSpan(a, m));
            RayAccumulation.CompositeBackground(Accumulation.AsSpan(a, m), rays.Background.AsSpan(3 * (start + a), 3 * m), Rgb.AsSpan(3 * a, 3 * m));
        }

        /// <summary>dL/drgb (in <see cref="DLdRgb"/>) -> weights -> densities and colours -> field parameters.</summary>
        public void Backward(RayBatch rays, int start, int n, NgpPhaseTimes times)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            OnRayHalves(n, (a, b) => BackwardRays(rays, start, a, b));
            times.CompositeBackward += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
            int count = Samples.Samples;
            if (rays.OriginGradients is null)
            {
                field.Backward(context, DLdDensity.AsSpan(0, count), DLdColor.AsSpan(0, 3 * count), times);
                return;
            }

            // Pose refinement: the field's input gradients, reduced to dL/dorigin and dL/ddirection per ray.
            NgpRayGradients g = rayGradients ??= new NgpRayGradients(marched.SampleCapacity);
            field.Backward(context, DLdDensity.AsSpan(0, count), DLdColor.AsSpan(0, 3 * count), times, g.Positions, g.Directions);
            g.Reduce(Samples, n, rays, start, field.Box, UnitDirections);
        }

        /// <summary>dL/drgb -> dL/dweights -> dL/ddensity and dL/dcolour for the samples of rays [a, b).</summary>
        private void BackwardRays(RayBatch rays, int start, int a, int b)
        {
            RaySamples samples = Samples;
            int count = samples.Samples;
            int m = b - a;
            ReadOnlySpan<int> rayStart = samples.RayStart.AsSpan(a, m), rayCount = samples.RayCount.AsSpan(a, m);
            Span<float> dAcc = DLdAccumulation.AsSpan(a, m);
            dAcc.Clear();
            RayAccumulation.CompositeBackgroundBackward(Accumulation.AsSpan(a, m), rays.Background.AsSpan(3 * (start + a), 3 * m), DLdRgb.AsSpan(3 * a, 3 * m), dAcc, []);
            for (int r = 0; r < m; r++)
            {
                DLdWeights.AsSpan(rayStart[r], rayCount[r]).Clear();
            }

            RayAccumulation.AccumulationBackward(rayStart, rayCount, dAcc, DLdWeights);
            RayAccumulation.Backward(rayStart, rayCount, Weights, Color, 3, count, DLdRgb.AsSpan(3 * a, 3 * m), DLdWeights, DLdColor.AsSpan(0, 3 * count));
            RenderWeights.Backward(rayStart, rayCount, Density, samples.TStart, samples.TEnd, Weights, DLdWeights, DLdDensity);
        }
    }
}
