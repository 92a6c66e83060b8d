using NerfSharp.Configuration;
using NerfSharp.Encodings;
using NerfSharp.Fields;
using NerfSharp.Losses;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

namespace NerfSharp.Models;

/// <summary>
/// nerfstudio's nerfacto on the CPU: rays -> piecewise sampler -> proposal field 1 -> weights -> PDF resampling ->
/// proposal field 2 -> weights -> PDF resampling -> main field (with the image's appearance embedding) -> weights ->
/// colour over the background -> losses: RGB MSE, interlevel (each proposal stage against the main field's weights,
/// which are held fixed) and distortion (main field). Both proposal fields are trained every step; the proposal weights
/// are annealed (exponent from 0 to 1 over the first steps) before resampling. Rays are sampled along unit directions
/// (t in world units); depth is reported in units of the ray's given direction.
/// <para>In a scene box with the occupancy grid on (<see cref="Grid"/>; not part of nerfstudio's nerfacto), each ray is
/// first clipped to the stretch between its first and last occupied cell, and rays that cross none are not sampled at
/// all: they see their background, with opacity 0 and no gradient. The grid holds instant-ngp's moving maximum of the
/// main field's density, updated before every 16th step.</para>
/// <para>When the ray batch has ray gradients enabled, dL/dorigin and dL/ddirection are written for every ray, through the
/// sample positions of all three stages and the main field's view directions (sample distances are held fixed: the
/// samplers' bins carry no gradient, as in nerfstudio).</para>
/// </summary>
public sealed class NerfactoModel : IRadianceModel
{
    private const string CameraStateName = "train_camera_centres";
    private const string GridStateName = "occupancy_grid";

    private readonly NerfactoConfig config;
    private readonly RgbLoss loss = new(RgbLossKind.Mse);
    private readonly int maxRays;
    private readonly float[] cameraCentres;
    private readonly float[] fixedBackground;
    private readonly Fields.IDensityField? gridQuery;
    private NerfactoPass? train;
    private float anneal;

    /// <param name="config">The model's settings.</param>
    /// <param name="mainHash">The main field's hash grid.</param>
    /// <param name="space">The scene space of all fields (contraction or box).</param>
    /// <param name="learningRate">Base learning rate of both groups (nerfstudio: 1e-2).</param>
    /// <param name="maxRays">Most rays one training call passes.</param>
    /// <param name="cameraOptimizer">Pose refinement of the training cameras, registered in this model's parameters (null: none).</param>
    public NerfactoModel(NerfactoConfig config, HashGridConfig mainHash, SceneSpace space, double learningRate, int maxRays, Cameras.CameraOptimizer? cameraOptimizer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(space);
        config = config.WithSampleCounts(space.IsBounded);
        this.config = config;
        this.maxRays = maxRays;
        Space = space;
        Parameters = new ParameterStore();
        Proposals =
        [
            new ProposalDensityField(ProposalHash(config, config.ProposalMaxResolution1), config.ProposalHiddenWidth, space, Parameters, "proposal_0", ProposalGroup),
            new ProposalDensityField(ProposalHash(config, config.ProposalMaxResolution2), config.ProposalHiddenWidth, space, Parameters, "proposal_1", ProposalGroup),
        ];
        Field = new NerfactoField(mainHash, space, config.TrainImages, config.AppearanceWidth, config.HiddenWidth, Parameters, "field", FieldGroup);
        cameraOptimizer?.Register(Parameters);
        CameraOptimizer = cameraOptimizer;
        Parameters.Freeze();
        var adam = new AdamConfig(0.9, 0.999, 1e-15);
        var schedule = new LogLinearDecaySchedule(config.LearningRateFinal / learningRate);
        ParameterGroups =
        [
            new ParameterGroup(ProposalGroup, adam, learningRate, schedule),
            new ParameterGroup(FieldGroup, adam, learningRate, schedule),
            .. cameraOptimizer is null ? Array.Empty<ParameterGroup>() : [cameraOptimizer.Group],
        ];
        cameraCentres = new float[3 * config.TrainImages];
        if (config.HasOccupancyGrid(space.IsBounded))
        {
            int r = config.OccupancyGridResolution;
            Grid = new OccupancyGrid(space.Box!.Value, new OccupancyGridConfig { Resolution = r });
            gridQuery = new NerfactoRadianceQuery(this, 1 << 16);
        }

        State =
        [
            new StateTensor(CameraStateName, [config.TrainImages, 3], cameraCentres),
            .. Grid is null ? Array.Empty<StateTensor>() : [new StateTensor(GridStateName, [Grid.Resolution, Grid.Resolution, Grid.Resolution], Grid.Values)],
        ];
        fixedBackground = ParseColor(config.BackgroundColor);
        Samples = [config.ProposalSamples1, config.ProposalSamples2, config.NerfSamples];
        anneal = 1f;
    }

    /// <summary>Parameter group of the proposal fields.</summary>
    public const string ProposalGroup = "proposal_networks";

    /// <summary>Parameter group of the main field (hash grid, MLPs, appearance embedding).</summary>
    public const string FieldGroup = "fields";

    public SceneSpace Space { get; }

    public IReadOnlyList<ProposalDensityField> Proposals { get; }

    public NerfactoField Field { get; }

    /// <summary>
    /// The occupancy grid of the main field's density that clips rays to their occupied stretch (a scene box with
    /// <see cref="NerfactoConfig.OccupancyGrid"/> on), or null. Until its first update every cell counts as occupied.
    /// </summary>
    public OccupancyGrid? Grid { get; }

    /// <summary>Whether the grid has been updated or restored (before that, rays are not clipped).</summary>
    internal bool GridReady { get; private set; }

    public ParameterStore Parameters { get; }

    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>Pose refinement of the training cameras (the trainer corrects training rays with it), or null.</summary>
    public Cameras.CameraOptimizer? CameraOptimizer { get; }

    public IReadOnlyList<StateTensor> State { get; }

    public StepStatistics LastStep { get; private set; }

    /// <summary>Where the training steps' time went, per phase.</summary>
    public NerfactoPhaseTimes Times { get; } = new();

    internal float[] FixedBackground => fixedBackground;

    internal float[] CameraCentres => cameraCentres;

    /// <summary>Model units per world unit (the scene normalisation of an unbounded capture; 1 in a scene box).</summary>
    public float SceneScale => Space.IsBounded || config.SceneScale <= 0 ? 1f : (float)config.SceneScale;

    /// <summary>The world point at the model's origin.</summary>
    public (float X, float Y, float Z) SceneCenter => Space.IsBounded || config.SceneScale <= 0
        ? (0f, 0f, 0f)
        : ((float)config.SceneCenterX, (float)config.SceneCenterY, (float)config.SceneCenterZ);

    /// <summary>
    /// The world box worth exporting: the scene box of a bounded scene; for a contracted one the region of model space
    /// [-1, 1]^3 (where the training cameras are and the contraction does not squeeze).
    /// </summary>
    public SceneBox ExportBox => Space.Box ?? SceneBox.Cube(1f / SceneScale, SceneCenter.X, SceneCenter.Y, SceneCenter.Z);

    /// <summary>The training camera nearest a world point (whose appearance embedding renders it).</summary>
    internal int NearestTrainingCamera(float x, float y, float z)
    {
        int best = 0;
        float bestDistance = float.PositiveInfinity;
        for (int i = 0; i < Field.Images; i++)
        {
            float dx = cameraCentres[3 * i] - x, dy = cameraCentres[(3 * i) + 1] - y, dz = cameraCentres[(3 * i) + 2] - z;
            float d = (dx * dx) + (dy * dy) + (dz * dz);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = i;
            }
        }

        return best;
    }

    /// <summary>Density (per world unit) and colour queries of the main field in world coordinates (mesh export).</summary>
    public Fields.IRadianceField CreateRadianceQuery(int capacity) => new NerfactoRadianceQuery(this, capacity);

    /// <summary>Samples per ray of the three stages.</summary>
    public IReadOnlyList<int> Samples { get; }

    /// <summary>The exponent the proposal weights are raised to before resampling (1 after the annealing steps and when rendering).</summary>
    public float Anneal => anneal;

    /// <summary>
    /// Test hook: when set, training calls keep the previous call's sample intervals and interlevel targets (both carry no
    /// gradient), so finite differences see the function the gradient is of.
    /// </summary>
    internal bool ReuseSamples { get; set; }

    /// <summary>Sets the training cameras' centres [images][3] (for the "nearest" evaluation embedding; checkpointed state).</summary>
    public void SetTrainingCameraCentres(ReadOnlySpan<float> centres)
    {
        if (centres.Length != cameraCentres.Length)
        {
            throw new ArgumentException($"{centres.Length / 3} camera centres for a model of {config.TrainImages} training images", nameof(centres));
        }

        centres.CopyTo(cameraCentres);
    }

    public void Initialize(Rng rng)
    {
        Proposals[0].Initialize(rng);
        Proposals[1].Initialize(rng);
        Field.Initialize(rng, Parameters);
        CameraOptimizer?.Initialize();
    }

    public void OnStateRestored()
    {
        if (Grid != null)
        {
            Grid.RestoreState(Grid.Values);
            GridReady = true;
        }
    }

    /// <summary>nerfacto's annealing: with x = min(step / anneal steps, 1), the exponent is (b x) / ((b - 1) x + 1), b the slope.</summary>
    public static float AnnealAt(long step, int annealSteps, double slope)
    {
        double x = annealSteps > 0 ? Math.Clamp((double)step / annealSteps, 0, 1) : 1;
        return (float)(slope * x / (((slope - 1) * x) + 1));
    }

    public void BeforeStep(long step, Rng rng)
    {
        anneal = AnnealAt(step, config.AnnealSteps, config.AnnealSlope);
        if (Grid != null)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            Grid.Update(step, gridQuery!, rng);
            GridReady |= step % Grid.Config.UpdateEvery == 0;
            Times.GridUpdate += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
    }

    public TrainLoss AccumulateGradients(RayBatch rays, ReadOnlySpan<float> targetRgb, int lossScaleRays, Rng rng)
    {
        if (rays.Count > maxRays)
        {
            throw new ArgumentException($"{rays.Count} rays exceed the {maxRays} this model was sized for", nameof(rays));
        }

        NerfactoPass p = train ??= new NerfactoPass(this, config, maxRays, Times);
        int n = rays.Count;
        p.Forward(rays, 0, n, training: true, ReuseSamples ? null : rng, anneal, resample: !ReuseSamples);
        double mse = 0;
        for (int i = 0; i < 3 * n; i++)
        {
            double e = p.Rgb[i] - targetRgb[i];
            mse += e * e;
        }

        double rgbLoss = loss.Evaluate(p.Rgb.AsSpan(0, 3 * n), targetRgb[..(3 * n)], p.DLdRgb.AsSpan(0, 3 * n), 3.0 * lossScaleRays);
        double weightLosses = p.Backward(rays, 0, n, lossScaleRays);
        LastStep = new StepStatistics(n, p.TotalSamples);
        return new TrainLoss(rgbLoss + weightLosses, n > 0 ? mse / (3.0 * n) : 0);
    }

    public RenderContext CreateRenderContext(int maxRays) => new NerfactoRenderContext(maxRays, new NerfactoPass(this, config, Math.Min(maxRays, 1 << 12)));

    public void Render(RayBatch rays, RenderedRays output, RenderContext context)
    {
        NerfactoPass pass = context is NerfactoRenderContext own ? own.Pass : throw new ArgumentException("a render context of another model", nameof(context));
        for (int start = 0; start < rays.Count; start += pass.MaxRays)
        {
            int n = Math.Min(pass.MaxRays, rays.Count - start);
            pass.Forward(rays, start, n, training: false, null, 1f, resample: true);
            for (int r = 0; r < n; r++)
            {
                int o = 3 * (start + r);
                output.Rgb[o] = pass.Rgb[3 * r];
                output.Rgb[o + 1] = pass.Rgb[(3 * r) + 1];
                output.Rgb[o + 2] = pass.Rgb[(3 * r) + 2];
                float norm = pass.Norm[r];
                float acc = pass.Accumulation[r];
                float d = norm > 0 ? pass.Depth[r] / norm : 0f;
                output.Accumulation[start + r] = acc;
                output.Depth[start + r] = d;
                output.Disparity[start + r] = acc > 0 ? 1f / MathF.Max(1e-10f, d / acc) : 0f;
            }
        }
    }

    private static HashGridConfig ProposalHash(NerfactoConfig c, int maxResolution) =>
        new(c.ProposalHashLevels, 2, c.ProposalLog2HashmapSize, 16, maxResolution);

    /// <summary>"r,g,b" in [0, 1].</summary>
    public static float[] ParseColor(string rgb)
    {
        string[] parts = rgb.Split(',', StringSplitOptions.TrimEntries);
        float[] c = new float[3];
        if (parts.Length != 3 || !parts.Select((s, i) => float.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out c[i]) && c[i] is >= 0 and <= 1).All(ok => ok))
        {
            throw new ArgumentException($"background colour '{rgb}' is not r,g,b with values in [0, 1]");
        }

        return c;
    }

    private sealed class NerfactoRenderContext(int maxRays, NerfactoPass pass) : RenderContext(maxRays)
    {
        public NerfactoPass Pass { get; } = pass;
    }
}
