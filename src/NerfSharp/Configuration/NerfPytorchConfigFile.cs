using System.Globalization;
using NerfSharp.Cameras;

namespace NerfSharp.Configuration;

/// <summary>
/// nerf-pytorch's configargparse files (configs/lego.txt and friends): one <c>key = value</c> per line
/// (configargparse also accepts <c>key: value</c>, <c>key value</c> and a bare <c>key</c> meaning true),
/// <c>#</c> or <c>;</c> comments (inline after whitespace), blank lines. Every key of nerf-pytorch's run_nerf.py
/// is known, plus <c>seed</c> and <c>N_iters</c>; an unknown key or a value of the wrong type is an error
/// naming the file, the line and the key, as configargparse would refuse it.
/// </summary>
public static class NerfPytorchConfigFile
{
    /// <summary>
    /// nerf-pytorch's argparse defaults (run_nerf.py's config_parser) as a <see cref="RunConfig"/>: what a key
    /// that a config file leaves out means to nerf-pytorch. <see cref="Load"/> starts from it unless given another base.
    /// </summary>
    public static RunConfig ArgparseDefaults { get; } = new()
    {
        BaseDir = "./logs/",
        Data = new DataConfig
        {
            DataDir = "./data/llff/fern",
            DatasetType = "llff",
            HalfRes = false,
            TestSkip = 8,
            WhiteBackground = false,
            Factor = 8,
            LlffHold = 8,
            Spherify = false,
            NoNdc = false,
            DeepVoxelsShape = "greek",
        },
        Trainer = new TrainerConfig
        {
            Steps = 200_000,
            BatchRays = 32 * 32 * 4,
            LearningRate = 5e-4,
            LearningRateDecay = 250,
            NoBatching = false,
            PrecropIters = 0,
            PrecropFrac = 0.5,
            Chunk = 1024 * 32,
            NetChunk = 1024 * 64,
            LogEvery = 100,
            ImageEvery = 500,
            CheckpointEvery = 10_000,
            TestsetEvery = 50_000,
            VideoEvery = 50_000,
            NoReload = false,
            FineTunePath = "",
        },
        Vanilla = new VanillaNerfConfig
        {
            NetDepth = 8,
            NetWidth = 256,
            NetDepthFine = 8,
            NetWidthFine = 256,
            Multires = 10,
            MultiresViews = 4,
            UseViewDirs = false,
            Samples = 64,
            Importance = 0,
            Perturb = true,
            LinDisp = false,
            RawNoiseStd = 0,
        },
        Render = new RenderConfig { RenderOnly = false, RenderTest = false, RenderFactor = 0 },
    };

    /// <summary>The keys this reader accepts (nerf-pytorch's options without the leading --).</summary>
    public static IReadOnlyCollection<string> Keys => Setters.Keys;

    /// <summary>The file's key/value pairs in file order, each already checked (known key, value of the right type).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string path)
    {
        var entries = ReadEntries(path);
        var pairs = new List<KeyValuePair<string, string>>(entries.Count);
        foreach (var e in entries)
        {
            // Applying to a scratch config validates the value with the line number in the message.
            ApplyOne(ArgparseDefaults, e.Key, e.Value, path, e.Line);
            pairs.Add(new KeyValuePair<string, string>(e.Key, e.Value));
        }

        return pairs;
    }

    /// <summary>Maps pairs onto <paramref name="baseConfig"/> in order (a later value of a key wins, as in argparse).</summary>
    public static RunConfig Apply(RunConfig baseConfig, IReadOnlyList<KeyValuePair<string, string>> pairs, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        RunConfig c = baseConfig;
        foreach (var (key, value) in pairs)
        {
            c = ApplyOne(c, key, value, sourceName, line: 0);
        }

        return c;
    }

    /// <summary>Reads a config file onto <paramref name="baseConfig"/> (default: <see cref="ArgparseDefaults"/>).</summary>
    public static RunConfig Load(string path, RunConfig? baseConfig = null)
    {
        RunConfig c = baseConfig ?? ArgparseDefaults;
        foreach (var e in ReadEntries(path))
        {
            c = ApplyOne(c, e.Key, e.Value, path, e.Line);
        }

        return c;
    }

    private readonly record struct Entry(string Key, string Value, int Line);

    private static List<Entry> ReadEntries(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, "cannot read config file: " + e.Message, e);
        }

        var entries = new List<Entry>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or ';' or '[' || line.StartsWith("---", StringComparison.Ordinal))
            {
                continue;
            }

            // An inline comment starts at whitespace followed by # or ;.
            for (int j = 1; j < line.Length; j++)
            {
                if (line[j] is '#' or ';' && char.IsWhiteSpace(line[j - 1]))
                {
                    line = line[..j].TrimEnd();
                    break;
                }
            }

            int keyEnd = 0;
            while (keyEnd < line.Length && !char.IsWhiteSpace(line[keyEnd]) && line[keyEnd] is not ':' and not '=')
            {
                keyEnd++;
            }

            string key = line[..keyEnd];
            if (key.Length == 0)
            {
                throw new DataFormatException(path, $"line {i + 1}: expected 'key = value', found '{lines[i].Trim()}'");
            }

            string rest = line[keyEnd..].TrimStart();
            string value;
            if (rest.Length == 0)
            {
                value = "true";
            }
            else
            {
                if (rest[0] is ':' or '=')
                {
                    rest = rest[1..].TrimStart();
                }

                if (rest.Length == 0)
                {
                    throw new DataFormatException(path, $"line {i + 1}: key '{key}' has no value");
                }

                value = rest.Length >= 2 && rest[0] is '"' or '\'' && rest[^1] == rest[0] ? rest[1..^1] : rest;
            }

            entries.Add(new Entry(key, value, i + 1));
        }

        return entries;
    }

    private static RunConfig ApplyOne(RunConfig c, string key, string value, string source, int line)
    {
        string where = line > 0 ? $"line {line}: " : string.Empty;
        if (!Setters.TryGetValue(key, out var setter))
        {
            throw new DataFormatException(source, $"{where}unknown key '{key}' (neither an option of nerf-pytorch's run_nerf.py nor a NerfSharp key)");
        }

        try
        {
            return setter(c, value);
        }
        catch (FormatException e)
        {
            throw new DataFormatException(source, $"{where}key '{key}': {e.Message}", e);
        }
    }

    private static readonly Dictionary<string, Func<RunConfig, string, RunConfig>> Setters = new(StringComparer.Ordinal)
    {
        ["config"] = (c, v) => c, // the path of a config file; it means nothing inside one
        ["expname"] = (c, v) => c with { ExperimentName = v },
        ["basedir"] = (c, v) => c with { BaseDir = v },
        ["datadir"] = (c, v) => c with { Data = c.Data with { DataDir = v } },
        ["dataset_type"] = (c, v) => c with { Data = c.Data with { DatasetType = v } },
        ["half_res"] = (c, v) => c with { Data = c.Data with { HalfRes = Bool(v) } },
        ["testskip"] = (c, v) => c with { Data = c.Data with { TestSkip = Int(v, min: 1) } },
        ["white_bkgd"] = (c, v) => c with { Data = c.Data with { WhiteBackground = Bool(v) } },
        ["factor"] = (c, v) => c with { Data = c.Data with { Factor = Int(v, min: 1) } },
        ["llffhold"] = (c, v) => c with { Data = c.Data with { LlffHold = Int(v, min: 0) } },
        ["spherify"] = (c, v) => c with { Data = c.Data with { Spherify = Bool(v) } },
        ["no_ndc"] = (c, v) => c with { Data = c.Data with { NoNdc = Bool(v) } },
        ["shape"] = (c, v) => c with { Data = c.Data with { DeepVoxelsShape = v } },
        ["N_iters"] = (c, v) => c with { Trainer = c.Trainer with { Steps = Int(v, min: 0) } },
        ["N_rand"] = (c, v) => c with { Trainer = c.Trainer with { BatchRays = Int(v, min: 1) } },
        ["lrate"] = (c, v) => c with { Trainer = c.Trainer with { LearningRate = Double(v, positive: true) } },
        ["lrate_decay"] = (c, v) => c with { Trainer = c.Trainer with { LearningRateDecay = Double(v, positive: true) } },
        ["no_batching"] = (c, v) => c with { Trainer = c.Trainer with { NoBatching = Bool(v) } },
        ["precrop_iters"] = (c, v) => c with { Trainer = c.Trainer with { PrecropIters = Int(v, min: 0) } },
        ["precrop_frac"] = (c, v) => c with { Trainer = c.Trainer with { PrecropFrac = Fraction(v) } },
        ["chunk"] = (c, v) => c with { Trainer = c.Trainer with { Chunk = Int(v, min: 1) } },
        ["netchunk"] = (c, v) => c with { Trainer = c.Trainer with { NetChunk = Int(v, min: 1) } },
        ["i_print"] = (c, v) => c with { Trainer = c.Trainer with { LogEvery = Int(v, min: 0) } },
        ["i_img"] = (c, v) => c with { Trainer = c.Trainer with { ImageEvery = Int(v, min: 0) } },
        ["i_weights"] = (c, v) => c with { Trainer = c.Trainer with { CheckpointEvery = Int(v, min: 0) } },
        ["i_testset"] = (c, v) => c with { Trainer = c.Trainer with { TestsetEvery = Int(v, min: 0) } },
        ["i_video"] = (c, v) => c with { Trainer = c.Trainer with { VideoEvery = Int(v, min: 0) } },
        ["seed"] = (c, v) => c with { Trainer = c.Trainer with { Seed = ULong(v) } },
        ["no_reload"] = (c, v) => c with { Trainer = c.Trainer with { NoReload = Bool(v) } },
        ["ft_path"] = (c, v) => c with { Trainer = c.Trainer with { FineTunePath = v } },
        ["netdepth"] = (c, v) => c with { Vanilla = c.Vanilla with { NetDepth = Int(v, min: 1) } },
        ["netwidth"] = (c, v) => c with { Vanilla = c.Vanilla with { NetWidth = Int(v, min: 1) } },
        ["netdepth_fine"] = (c, v) => c with { Vanilla = c.Vanilla with { NetDepthFine = Int(v, min: 1) } },
        ["netwidth_fine"] = (c, v) => c with { Vanilla = c.Vanilla with { NetWidthFine = Int(v, min: 1) } },
        ["multires"] = (c, v) => c with { Vanilla = c.Vanilla with { Multires = Int(v, min: 0) } },
        ["multires_views"] = (c, v) => c with { Vanilla = c.Vanilla with { MultiresViews = Int(v, min: 0) } },
        ["use_viewdirs"] = (c, v) => c with { Vanilla = c.Vanilla with { UseViewDirs = Bool(v) } },
        ["N_samples"] = (c, v) => c with { Vanilla = c.Vanilla with { Samples = Int(v, min: 1) } },
        ["N_importance"] = (c, v) => c with { Vanilla = c.Vanilla with { Importance = Int(v, min: 0) } },
        ["perturb"] = (c, v) => c with { Vanilla = c.Vanilla with { Perturb = Double(v, positive: false) > 0 } },
        ["lindisp"] = (c, v) => c with { Vanilla = c.Vanilla with { LinDisp = Bool(v) } },
        ["raw_noise_std"] = (c, v) => c with { Vanilla = c.Vanilla with { RawNoiseStd = NonNegative(v) } },
        ["i_embed"] = (c, v) => Int(v, min: int.MinValue) == -1
            ? throw new FormatException("i_embed = -1 (no positional encoding) is not supported")
            : c, // any other value selects the positional encoding, which is the only one
        // NerfSharp's own keys (not nerf-pytorch's): the model, time budgets, instant-ngp's model.
        ["model"] = (c, v) => c with { Model = v },
        ["time_budget"] = (c, v) => c with { Trainer = c.Trainer with { TimeBudgetSeconds = NonNegative(v) } },
        ["target_samples"] = (c, v) => c with { Trainer = c.Trainer with { TargetSamplesPerStep = Int(v, min: 0) } },
        ["max_memory"] = (c, v) => c with { Trainer = c.Trainer with { MaxMemoryBytes = MemorySize.Parse(v) } },
        ["max_batch_rays"] = (c, v) => c with { Trainer = c.Trainer with { MaxBatchRays = Int(v, min: 1) } },
        ["random_bkgd"] = (c, v) => c with { Data = c.Data with { RandomBackground = Bool(v) } },
        ["pixel_centers"] = (c, v) => c with { Data = c.Data with { PixelCenters = Bool(v) } },
        ["pixel_jitter"] = (c, v) => c with { Trainer = c.Trainer with { PixelJitter = Bool(v) } },
        ["hash_levels"] = (c, v) => c with { Ngp = c.Ngp with { HashLevels = Int(v, min: 1) } },
        ["hash_features"] = (c, v) => c with { Ngp = c.Ngp with { HashFeaturesPerLevel = Int(v, min: 1) } },
        ["log2_hashmap_size"] = (c, v) => c with { Ngp = c.Ngp with { Log2HashmapSize = Int(v, min: 4) } },
        ["base_resolution"] = (c, v) => c with { Ngp = c.Ngp with { BaseResolution = Int(v, min: 2) } },
        ["max_resolution"] = (c, v) => c with { Ngp = c.Ngp with { MaxResolution = Int(v, min: 2) } },
        ["aabb_scale"] = (c, v) => c with { Ngp = c.Ngp with { AabbScale = Double(v, positive: true) } },
        ["scene_box"] = (c, v) => c with { Ngp = c.Ngp with { SceneBoxHalfSize = NonNegative(v) } },
        ["grid_resolution"] = (c, v) => c with { Ngp = c.Ngp with { GridResolution = Int(v, min: 8) } },
        ["grid_warmup"] = (c, v) => c with { Ngp = c.Ngp with { GridWarmupSteps = Int(v, min: 0) } },
        ["render_steps"] = (c, v) => c with { Ngp = c.Ngp with { RenderStepsPerDiagonal = Int(v, min: 16) } },
        ["mlp_weight_decay"] = (c, v) => c with { Ngp = c.Ngp with { MlpWeightDecay = NonNegative(v) } },
        ["loss"] = (c, v) => v is "mse" or "huber" ? c with { Ngp = c.Ngp with { Loss = v } } : throw new FormatException($"loss must be mse or huber, not '{v}'"),
        ["lr_milestones"] = (c, v) => c with { Ngp = c.Ngp with { LearningRateMilestones = Milestones(v) } },
        ["lr_warmup"] = (c, v) => c with { Ngp = c.Ngp with { LearningRateWarmupSteps = Int(v, min: 0) } },
        ["early_stop"] = (c, v) => c with { Ngp = c.Ngp with { TrainEarlyStop = Bool(v) } },
        ["alpha_threshold"] = (c, v) => c with { Ngp = c.Ngp with { AlphaThreshold = NonNegative(v) } },
        ["camera_opt"] = (c, v) => c with { CameraOptimizer = c.CameraOptimizer with { Mode = CameraOptimizerModes.Name(CameraOptimizerModes.Parse(v)) } },
        ["camera_opt_lr"] = (c, v) => c with { CameraOptimizer = c.CameraOptimizer with { LearningRate = Double(v, positive: true) } },
        ["proposal_samples_1"] = (c, v) => c with { Nerfacto = c.Nerfacto with { ProposalSamples1 = Int(v, min: 1) } },
        ["proposal_samples_2"] = (c, v) => c with { Nerfacto = c.Nerfacto with { ProposalSamples2 = Int(v, min: 1) } },
        ["nerf_samples"] = (c, v) => c with { Nerfacto = c.Nerfacto with { NerfSamples = Int(v, min: 1) } },
        ["appearance_dim"] = (c, v) => c with { Nerfacto = c.Nerfacto with { AppearanceWidth = Int(v, min: 0) } },
        ["appearance_eval"] = (c, v) => c with { Nerfacto = c.Nerfacto with { AppearanceEval = OneOf(v, "mean", "nearest") } },
        ["background"] = (c, v) => c with { Nerfacto = c.Nerfacto with { Background = OneOf(v, "last_sample", "random", "fixed") } },
        ["background_color"] = (c, v) => c with { Nerfacto = c.Nerfacto with { BackgroundColor = Color(v) } },
        ["contraction"] = (c, v) => c with { Nerfacto = c.Nerfacto with { Contraction = OneOf(v, "linf", "l2") } },
        ["scene_kind"] = (c, v) => c with { Nerfacto = c.Nerfacto with { SceneKind = OneOf(v, "auto", "unbounded", "bounded") } },
        ["near_plane"] = (c, v) => c with { Nerfacto = c.Nerfacto with { NearPlane = NonNegative(v) } },
        ["far_plane"] = (c, v) => c with { Nerfacto = c.Nerfacto with { FarPlane = Double(v, positive: true) } },
        ["scene_normalization"] = (c, v) => c with { Nerfacto = c.Nerfacto with { SceneNormalization = OneOf(v, "auto", "cameras", "none") } },
        ["occupancy_grid"] = (c, v) => c with { Nerfacto = c.Nerfacto with { OccupancyGrid = OneOf(v, "auto", "on", "off") } },
        ["occupancy_grid_resolution"] = (c, v) => c with { Nerfacto = c.Nerfacto with { OccupancyGridResolution = Int(v, min: 8) } },
        ["ray_bounds"] = (c, v) => c with { Nerfacto = c.Nerfacto with { RayBounds = OneOf(v, "auto", "data", "planes") } },
        ["interlevel_weight"] = (c, v) => c with { Nerfacto = c.Nerfacto with { InterlevelWeight = NonNegative(v) } },
        ["distortion_weight"] = (c, v) => c with { Nerfacto = c.Nerfacto with { DistortionWeight = NonNegative(v) } },
        ["anneal_steps"] = (c, v) => c with { Nerfacto = c.Nerfacto with { AnnealSteps = Int(v, min: 0) } },
        ["anneal_slope"] = (c, v) => c with { Nerfacto = c.Nerfacto with { AnnealSlope = Double(v, positive: true) } },
        ["lr_final"] = (c, v) => c with { Nerfacto = c.Nerfacto with { LearningRateFinal = Double(v, positive: true) } },
        ["render_only"] = (c, v) => c with { Render = c.Render with { RenderOnly = Bool(v) } },
        ["render_test"] = (c, v) => c with { Render = c.Render with { RenderTest = Bool(v) } },
        ["render_factor"] = (c, v) => c with { Render = c.Render with { RenderFactor = Int(v, min: 0) } },
    };

    private static bool Bool(string v) => v.ToLowerInvariant() switch
    {
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => throw new FormatException($"'{v}' is not a boolean (True/False, true/false, 1/0)"),
    };

    private static int Int(string v, int min)
    {
        if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int r))
        {
            throw new FormatException($"'{v}' is not an integer");
        }

        return r >= min ? r : throw new FormatException($"{r} is out of range (at least {min})");
    }

    private static ulong ULong(string v) =>
        ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong r) ? r : throw new FormatException($"'{v}' is not a non-negative integer");

    private static double Double(string v, bool positive)
    {
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) || !double.IsFinite(r))
        {
            throw new FormatException($"'{v}' is not a finite number");
        }

        return !positive || r > 0 ? r : throw new FormatException($"{r} must be > 0");
    }

    private static double NonNegative(string v)
    {
        double r = Double(v, positive: false);
        return r >= 0 ? r : throw new FormatException($"{r} must be >= 0");
    }

    private static double Fraction(string v)
    {
        double r = Double(v, positive: true);
        return r <= 1 ? r : throw new FormatException($"{r} must be in (0, 1]");
    }

    private static string OneOf(string v, params string[] allowed) =>
        allowed.Contains(v, StringComparer.Ordinal) ? v : throw new FormatException($"'{v}' is not one of {string.Join(", ", allowed)}");

    /// <summary>"r,g,b" with each value in [0, 1].</summary>
    private static string Color(string v)
    {
        string[] parts = v.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || parts.Any(p => !double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !(x >= 0 && x <= 1)))
        {
            throw new FormatException($"'{v}' is not r,g,b with values in [0, 1]");
        }

        return v.Trim();
    }

    /// <summary>Comma-separated fractions of a run in [0, 1] (an empty value: no steps).</summary>
    private static string Milestones(string v)
    {
        foreach (string part in v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double m) || !(m >= 0 && m <= 1))
            {
                throw new FormatException($"'{v}' is not a comma-separated list of fractions in [0, 1]");
            }
        }

        return v.Trim();
    }
}
