namespace NerfSharp.Configuration;

/// <summary>
/// The resolved configuration of one run, written to <c>config.json</c> in the run folder so a run
/// is reproducible and resumable. Defaults are nerf-pytorch's lego config (configs/lego.txt plus its argparse defaults).
/// </summary>
public sealed record RunConfig
{
    /// <summary>nerf-pytorch's expname.</summary>
    public string ExperimentName { get; init; } = "nerf";

    /// <summary>nerf-pytorch's basedir: runs are written to BaseDir/ExperimentName unless an explicit output folder is given.</summary>
    public string BaseDir { get; init; } = "./logs";

    /// <summary>The run folder (config.json, metrics.jsonl, checkpoints/, renders).</summary>
    public string OutputDir { get; init; } = "";

    /// <summary>Model preset: "vanilla" (nerf-pytorch), "ngp" (instant-ngp's hash grid + occupancy grid) or "nerfacto" (nerfstudio's).</summary>
    public string Model { get; init; } = "vanilla";

    public DataConfig Data { get; init; } = new();

    public TrainerConfig Trainer { get; init; } = new();

    public VanillaNerfConfig Vanilla { get; init; } = new();

    public NgpConfig Ngp { get; init; } = new();

    /// <summary>Camera pose refinement (keys camera_opt, camera_opt_lr); off unless the model preset or the user turns it on.</summary>
    public CameraOptimizerConfig CameraOptimizer { get; init; } = new();

    public NerfactoConfig Nerfacto { get; init; } = new();

    /// <summary>nerf-pytorch's render_only / render_test / render_factor.</summary>
    public RenderConfig Render { get; init; } = new();
}

public sealed record DataConfig
{
    /// <summary>nerf-pytorch's datadir.</summary>
    public string DataDir { get; init; } = "";

    /// <summary>nerf-pytorch's dataset_type: "blender" (others come with later parsers).</summary>
    public string DatasetType { get; init; } = "blender";

    public bool HalfRes { get; init; }

    /// <summary>Keep every N-th image of the val and test splits (nerf-pytorch's testskip).</summary>
    public int TestSkip { get; init; } = 8;

    public bool WhiteBackground { get; init; }

    /// <summary>
    /// Train on RGBA images composited over a random colour per ray (instant-ngp), instead of over the background colour
    /// at load. Evaluation still composites over the background colour.
    /// </summary>
    public bool RandomBackground { get; init; }

    /// <summary>
    /// Blender data: rays through pixel centres, where Blender rendered the images (instant-ngp, nerfstudio), instead of
    /// nerf-pytorch's pixel corners (false, which its golden values need). Other formats state their own convention.
    /// </summary>
    public bool PixelCenters { get; init; }

    /// <summary>nerf-pytorch's factor: LLFF images are loaded downsampled by this factor.</summary>
    public int Factor { get; init; } = 8;

    /// <summary>nerf-pytorch's llffhold: every N-th LLFF image is held out for testing (0 = none).</summary>
    public int LlffHold { get; init; } = 8;

    /// <summary>nerf-pytorch's spherify: LLFF 360-degree captures are re-centred on a sphere.</summary>
    public bool Spherify { get; init; }

    /// <summary>nerf-pytorch's no_ndc: LLFF rays are not warped to normalised device coordinates.</summary>
    public bool NoNdc { get; init; }

    /// <summary>nerf-pytorch's shape: the DeepVoxels object.</summary>
    public string DeepVoxelsShape { get; init; } = "greek";
}

public sealed record TrainerConfig
{
    /// <summary>Total optimisation steps (nerf-pytorch trains N_iters = 200000 + 1).</summary>
    public int Steps { get; init; } = 200_000;

    /// <summary>N_rand: rays per step.</summary>
    public int BatchRays { get; init; } = 1024;

    /// <summary>lrate.</summary>
    public double LearningRate { get; init; } = 5e-4;

    /// <summary>lrate_decay, in thousands of steps: lr = lrate * 0.1^(step / (lrate_decay * 1000)).</summary>
    public double LearningRateDecay { get; init; } = 250;

    /// <summary>no_batching: draw each step's rays from one random image instead of all images.</summary>
    public bool NoBatching { get; init; }

    /// <summary>precrop_iters: for the first N steps of per-image sampling, draw from the centre crop.</summary>
    public int PrecropIters { get; init; }

    /// <summary>precrop_frac: size of that centre crop as a fraction of the image.</summary>
    public double PrecropFrac { get; init; } = 0.5;

    /// <summary>chunk: rays processed together (bounds memory in training and rendering).</summary>
    public int Chunk { get; init; } = 1024 * 32;

    /// <summary>netchunk: points sent through the network together.</summary>
    public int NetChunk { get; init; } = 1024 * 64;

    /// <summary>i_print: log a metrics line every N steps.</summary>
    public int LogEvery { get; init; } = 100;

    /// <summary>i_weights: write a checkpoint every N steps.</summary>
    public int CheckpointEvery { get; init; } = 10_000;

    /// <summary>i_img: write a preview render every N steps.</summary>
    public int ImageEvery { get; init; } = 500;

    /// <summary>no_reload: start from scratch even when the run folder holds a checkpoint.</summary>
    public bool NoReload { get; init; }

    /// <summary>ft_path: a checkpoint to start from instead of the run folder's latest ("" = none).</summary>
    public string FineTunePath { get; init; } = "";

    /// <summary>i_testset: render the test split every N steps (0 = never during training).</summary>
    public int TestsetEvery { get; init; } = 50_000;

    /// <summary>i_video: render the spiral video every N steps (0 = never during training).</summary>
    public int VideoEvery { get; init; } = 50_000;

    /// <summary>Seed of every random choice (init, ray order, stratified jitter, noise).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Wall-clock budget of the run in seconds (0 = none: train <see cref="Steps"/> steps): counted from process start,
    /// loading included, plus earlier sessions of a resumed run. Schedules run over the budget. Results depend on machine speed.
    /// </summary>
    public double TimeBudgetSeconds { get; init; }

    /// <summary>Samples per step the ray count adapts to (instant-ngp's 2^18); 0 = a fixed <see cref="BatchRays"/> rays per step.</summary>
    public int TargetSamplesPerStep { get; init; }

    /// <summary>Upper bound of the adaptive ray count.</summary>
    public int MaxBatchRays { get; init; } = 1 << 16;

    /// <summary>
    /// Training rays go through a uniformly random point of their pixel (instant-ngp) instead of its nominal point, so
    /// the field learns the pixel's area average, as the images were rendered. Evaluation rays are never jittered.
    /// </summary>
    public bool PixelJitter { get; init; }

    /// <summary>
    /// max_memory: the memory the run should stay within, in bytes (0 = no limit). Training images are kept as 8-bit samples
    /// when their floats would not fit in a quarter of it (a clear error when even those would not), and vanilla NeRF's point
    /// chunks (netchunk) and render chunks shrink to fit a quarter of it.
    /// </summary>
    public long MaxMemoryBytes { get; init; }
}

public sealed record VanillaNerfConfig
{
    public int NetDepth { get; init; } = 8;

    public int NetWidth { get; init; } = 256;

    public int NetDepthFine { get; init; } = 8;

    public int NetWidthFine { get; init; } = 256;

    /// <summary>multires: log2 of the max frequency of the point encoding.</summary>
    public int Multires { get; init; } = 10;

    /// <summary>multires_views.</summary>
    public int MultiresViews { get; init; } = 4;

    public bool UseViewDirs { get; init; } = true;

    /// <summary>N_samples: coarse samples per ray.</summary>
    public int Samples { get; init; } = 64;

    /// <summary>N_importance: extra fine samples per ray (0 = no fine network).</summary>
    public int Importance { get; init; } = 128;

    /// <summary>perturb: stratified jitter during training.</summary>
    public bool Perturb { get; init; } = true;

    /// <summary>lindisp: sample linearly in inverse depth.</summary>
    public bool LinDisp { get; init; }

    /// <summary>raw_noise_std: noise added to raw density during training.</summary>
    public double RawNoiseStd { get; init; }
}

public sealed record RenderConfig
{
    public bool RenderOnly { get; init; }

    public bool RenderTest { get; init; }

    /// <summary>Downsampling factor for fast preview renders (0 or 1 = full size).</summary>
    public int RenderFactor { get; init; }
}

/// <summary>
/// instant-ngp's model (hash-grid field + occupancy grid), defaults from instant-ngp's base.json / nerfacc's example
/// unless stated: a multiresolution hash encoding, a 64-wide density network with 16 outputs, an SH degree-4
/// direction encoding and a 64-wide colour network.
/// </summary>
public sealed record NgpConfig
{
    public int HashLevels { get; init; } = 16;

    public int HashFeaturesPerLevel { get; init; } = 2;

    public int Log2HashmapSize { get; init; } = 19;

    public int BaseResolution { get; init; } = 16;

    /// <summary>Finest hash-grid resolution; 0 = instant-ngp's default, 2048 x <see cref="AabbScale"/>.</summary>
    public int MaxResolution { get; init; }

    /// <summary>instant-ngp's aabb_scale of the dataset (1 for nerf_synthetic; transforms.json may give 2, 4, ...), set by train from the data.</summary>
    public double AabbScale { get; init; } = 1;

    /// <summary>The finest resolution in effect: <see cref="MaxResolution"/>, or 2048 x <see cref="AabbScale"/> when that is 0.</summary>
    public int ResolvedMaxResolution() => MaxResolution > 0 ? MaxResolution : (int)Math.Round(2048 * Math.Max(1, AabbScale));

    /// <summary>Half the edge of the cubic scene box centred at the origin (lego: 1.5); 0 = from the dataset.</summary>
    public double SceneBoxHalfSize { get; init; }

    /// <summary>Occupancy grid cells per axis.</summary>
    public int GridResolution { get; init; } = 128;

    /// <summary>
    /// Steps during which every grid update evaluates all cells (nerfacc: 256). Fewer here: a CPU step costs far more
    /// than a GPU step, and each full update queries Resolution^3 densities.
    /// </summary>
    public int GridWarmupSteps { get; init; } = 48;

    /// <summary>Marching steps across the box diagonal: step = sqrt(3) * box edge / this.</summary>
    public int RenderStepsPerDiagonal { get; init; } = 1024;

    /// <summary>
    /// Steps of linear learning-rate warm-up from 1%. nerfacc uses 100 over a 20,000-step run; a CPU run of a few minutes
    /// has a few hundred steps, and 20 measured better on lego_400 at 120 s (28.6 against 28.3 dB val PSNR).
    /// </summary>
    public int LearningRateWarmupSteps { get; init; } = 20;

    /// <summary>Fractions of the run at which the learning rate is multiplied by 0.33 (nerfacc: 1/2, 3/4, 9/10), comma-separated.</summary>
    public string LearningRateMilestones { get; init; } = "0.5,0.75,0.9";

    /// <summary>Weight decay of the MLPs (the hash table has none).</summary>
    public double MlpWeightDecay { get; init; } = 1e-6;

    /// <summary>Photometric loss: "mse" or "huber" (torch's HuberLoss, delta 0.1).</summary>
    public string Loss { get; init; } = "mse";

    /// <summary>
    /// nerfacc's training-time visibility: a density pass without gradients over the marched samples drops those behind
    /// an opaque surface (transmittance below 1e-4) and those with alpha below <see cref="AlphaThreshold"/> before the
    /// full forward and backward.
    /// </summary>
    public bool TrainEarlyStop { get; init; } = true;

    /// <summary>With <see cref="TrainEarlyStop"/>: samples whose alpha is below this are dropped too (0 = keep them).</summary>
    public double AlphaThreshold { get; init; }
}
