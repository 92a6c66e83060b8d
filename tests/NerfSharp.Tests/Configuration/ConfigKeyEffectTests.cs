using NerfSharp.Configuration;

namespace NerfSharp.Tests.Configuration;

/// <summary>
/// Each nerf-pytorch key, given a non-default value, changes exactly the RunConfig field it stands for and
/// nothing else (record equality over the whole config). A key mapped to the wrong field, or to none, fails here.
/// </summary>
public sealed class ConfigKeyEffectTests
{
    private static readonly RunConfig D = NerfPytorchConfigFile.ArgparseDefaults;

    private static readonly (string Key, string Value, RunConfig Expected)[] Effects =
    [
        ("config", "other.txt", D), // the path of a config file; no effect inside one
        ("i_embed", "0", D), // the positional encoding is the only one
        ("expname", "exp_x", D with { ExperimentName = "exp_x" }),
        ("basedir", "/tmp/base_x", D with { BaseDir = "/tmp/base_x" }),
        ("datadir", "/data/x", D with { Data = D.Data with { DataDir = "/data/x" } }),
        ("dataset_type", "blender", D with { Data = D.Data with { DatasetType = "blender" } }),
        ("half_res", "True", D with { Data = D.Data with { HalfRes = true } }),
        ("testskip", "3", D with { Data = D.Data with { TestSkip = 3 } }),
        ("white_bkgd", "True", D with { Data = D.Data with { WhiteBackground = true } }),
        ("factor", "4", D with { Data = D.Data with { Factor = 4 } }),
        ("llffhold", "5", D with { Data = D.Data with { LlffHold = 5 } }),
        ("spherify", "True", D with { Data = D.Data with { Spherify = true } }),
        ("no_ndc", "True", D with { Data = D.Data with { NoNdc = true } }),
        ("shape", "vase", D with { Data = D.Data with { DeepVoxelsShape = "vase" } }),
        ("N_iters", "1234", D with { Trainer = D.Trainer with { Steps = 1234 } }),
        ("N_rand", "77", D with { Trainer = D.Trainer with { BatchRays = 77 } }),
        ("lrate", "0.0125", D with { Trainer = D.Trainer with { LearningRate = 0.0125 } }),
        ("lrate_decay", "123", D with { Trainer = D.Trainer with { LearningRateDecay = 123 } }),
        ("no_batching", "True", D with { Trainer = D.Trainer with { NoBatching = true } }),
        ("precrop_iters", "321", D with { Trainer = D.Trainer with { PrecropIters = 321 } }),
        ("precrop_frac", "0.25", D with { Trainer = D.Trainer with { PrecropFrac = 0.25 } }),
        ("chunk", "999", D with { Trainer = D.Trainer with { Chunk = 999 } }),
        ("netchunk", "888", D with { Trainer = D.Trainer with { NetChunk = 888 } }),
        ("i_print", "7", D with { Trainer = D.Trainer with { LogEvery = 7 } }),
        ("i_img", "11", D with { Trainer = D.Trainer with { ImageEvery = 11 } }),
        ("i_weights", "13", D with { Trainer = D.Trainer with { CheckpointEvery = 13 } }),
        ("i_testset", "17", D with { Trainer = D.Trainer with { TestsetEvery = 17 } }),
        ("i_video", "19", D with { Trainer = D.Trainer with { VideoEvery = 19 } }),
        ("seed", "42", D with { Trainer = D.Trainer with { Seed = 42 } }),
        ("no_reload", "True", D with { Trainer = D.Trainer with { NoReload = true } }),
        ("ft_path", "/ckpt/x.tar", D with { Trainer = D.Trainer with { FineTunePath = "/ckpt/x.tar" } }),
        ("netdepth", "3", D with { Vanilla = D.Vanilla with { NetDepth = 3 } }),
        ("netwidth", "33", D with { Vanilla = D.Vanilla with { NetWidth = 33 } }),
        ("netdepth_fine", "5", D with { Vanilla = D.Vanilla with { NetDepthFine = 5 } }),
        ("netwidth_fine", "55", D with { Vanilla = D.Vanilla with { NetWidthFine = 55 } }),
        ("multires", "6", D with { Vanilla = D.Vanilla with { Multires = 6 } }),
        ("multires_views", "2", D with { Vanilla = D.Vanilla with { MultiresViews = 2 } }),
        ("use_viewdirs", "True", D with { Vanilla = D.Vanilla with { UseViewDirs = true } }),
        ("N_samples", "21", D with { Vanilla = D.Vanilla with { Samples = 21 } }),
        ("N_importance", "23", D with { Vanilla = D.Vanilla with { Importance = 23 } }),
        ("perturb", "0", D with { Vanilla = D.Vanilla with { Perturb = false } }),
        ("lindisp", "True", D with { Vanilla = D.Vanilla with { LinDisp = true } }),
        ("raw_noise_std", "0.75", D with { Vanilla = D.Vanilla with { RawNoiseStd = 0.75 } }),
        ("render_only", "True", D with { Render = D.Render with { RenderOnly = true } }),
        ("render_test", "True", D with { Render = D.Render with { RenderTest = true } }),
        ("render_factor", "4", D with { Render = D.Render with { RenderFactor = 4 } }),

        // NerfSharp's own keys.
        ("model", "ngp", D with { Model = "ngp" }),
        ("time_budget", "120", D with { Trainer = D.Trainer with { TimeBudgetSeconds = 120 } }),
        ("target_samples", "4096", D with { Trainer = D.Trainer with { TargetSamplesPerStep = 4096 } }),
        ("max_batch_rays", "999", D with { Trainer = D.Trainer with { MaxBatchRays = 999 } }),
        ("random_bkgd", "True", D with { Data = D.Data with { RandomBackground = true } }),
        ("pixel_centers", "True", D with { Data = D.Data with { PixelCenters = true } }),
        ("pixel_jitter", "True", D with { Trainer = D.Trainer with { PixelJitter = true } }),
        ("hash_levels", "8", D with { Ngp = D.Ngp with { HashLevels = 8 } }),
        ("hash_features", "4", D with { Ngp = D.Ngp with { HashFeaturesPerLevel = 4 } }),
        ("log2_hashmap_size", "15", D with { Ngp = D.Ngp with { Log2HashmapSize = 15 } }),
        ("base_resolution", "8", D with { Ngp = D.Ngp with { BaseResolution = 8 } }),
        ("max_resolution", "512", D with { Ngp = D.Ngp with { MaxResolution = 512 } }),
        ("aabb_scale", "4", D with { Ngp = D.Ngp with { AabbScale = 4 } }),
        ("scene_box", "2.5", D with { Ngp = D.Ngp with { SceneBoxHalfSize = 2.5 } }),
        ("grid_resolution", "64", D with { Ngp = D.Ngp with { GridResolution = 64 } }),
        ("grid_warmup", "7", D with { Ngp = D.Ngp with { GridWarmupSteps = 7 } }),
        ("render_steps", "512", D with { Ngp = D.Ngp with { RenderStepsPerDiagonal = 512 } }),
        ("mlp_weight_decay", "0.001", D with { Ngp = D.Ngp with { MlpWeightDecay = 0.001 } }),
        ("loss", "huber", D with { Ngp = D.Ngp with { Loss = "huber" } }),
        ("lr_milestones", "0.8,0.95", D with { Ngp = D.Ngp with { LearningRateMilestones = "0.8,0.95" } }),
        ("lr_warmup", "35", D with { Ngp = D.Ngp with { LearningRateWarmupSteps = 35 } }),
        ("max_memory", "1.5G", D with { Trainer = D.Trainer with { MaxMemoryBytes = 3L << 29 } }),
        ("early_stop", "False", D with { Ngp = D.Ngp with { TrainEarlyStop = false } }),
        ("alpha_threshold", "0.01", D with { Ngp = D.Ngp with { AlphaThreshold = 0.01 } }),
        ("camera_opt", "so3xr3", D with { CameraOptimizer = D.CameraOptimizer with { Mode = "SO3xR3" } }),
        ("camera_opt_lr", "0.002", D with { CameraOptimizer = D.CameraOptimizer with { LearningRate = 0.002 } }),
        ("proposal_samples_1", "128", D with { Nerfacto = D.Nerfacto with { ProposalSamples1 = 128 } }),
        ("proposal_samples_2", "64", D with { Nerfacto = D.Nerfacto with { ProposalSamples2 = 64 } }),
        ("nerf_samples", "32", D with { Nerfacto = D.Nerfacto with { NerfSamples = 32 } }),
        ("appearance_dim", "8", D with { Nerfacto = D.Nerfacto with { AppearanceWidth = 8 } }),
        ("appearance_eval", "mean", D with { Nerfacto = D.Nerfacto with { AppearanceEval = "mean" } }),
        ("background", "random", D with { Nerfacto = D.Nerfacto with { Background = "random" } }),
        ("background_color", "0,0.5,1", D with { Nerfacto = D.Nerfacto with { BackgroundColor = "0,0.5,1" } }),
        ("contraction", "l2", D with { Nerfacto = D.Nerfacto with { Contraction = "l2" } }),
        ("scene_kind", "bounded", D with { Nerfacto = D.Nerfacto with { SceneKind = "bounded" } }),
        ("near_plane", "0.1", D with { Nerfacto = D.Nerfacto with { NearPlane = 0.1 } }),
        ("far_plane", "50", D with { Nerfacto = D.Nerfacto with { FarPlane = 50 } }),
        ("ray_bounds", "planes", D with { Nerfacto = D.Nerfacto with { RayBounds = "planes" } }),
        ("occupancy_grid", "off", D with { Nerfacto = D.Nerfacto with { OccupancyGrid = "off" } }),
        ("occupancy_grid_resolution", "32", D with { Nerfacto = D.Nerfacto with { OccupancyGridResolution = 32 } }),
        ("scene_normalization", "none", D with { Nerfacto = D.Nerfacto with { SceneNormalization = "none" } }),
        ("interlevel_weight", "0.5", D with { Nerfacto = D.Nerfacto with { InterlevelWeight = 0.5 } }),
        ("distortion_weight", "0.01", D with { Nerfacto = D.Nerfacto with { DistortionWeight = 0.01 } }),
        ("anneal_steps", "300", D with { Nerfacto = D.Nerfacto with { AnnealSteps = 300 } }),
        ("anneal_slope", "5", D with { Nerfacto = D.Nerfacto with { AnnealSlope = 5 } }),
        ("lr_final", "0.001", D with { Nerfacto = D.Nerfacto with { LearningRateFinal = 0.001 } }),
    ];

    [Fact]
    public void EveryKeyHasAnEffectRowHere()
    {
        Assert.Equal(
            NerfPytorchConfigFile.Keys.Order(StringComparer.Ordinal),
            Effects.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EachKeyChangesExactlyItsField()
    {
        var wrong = new List<string>();
        foreach (var (key, value, expected) in Effects)
        {
            RunConfig got = NerfPytorchConfigFile.Apply(D, [new(key, value)], "test");
            if (!got.Equals(expected))
            {
                wrong.Add($"{key} = {value}: got {RunConfigJson.Serialize(got)}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void EachValueInTheTableDiffersFromTheDefault()
    {
        // Otherwise a row would pass even if the key did nothing.
        foreach (var (key, _, expected) in Effects)
        {
            if (key is not "config" and not "i_embed")
            {
                Assert.False(expected.Equals(D), $"the row for {key} does not change the default");
            }
        }
    }

    [Fact]
    public void KeysReadFromAFileChangeTheSameFields()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nerfsharp-keys-{Guid.NewGuid():N}.txt");
        try
        {
            foreach (var (key, value, expected) in Effects)
            {
                File.WriteAllText(path, $"{key} = {value}\n");
                Assert.Equal(expected, NerfPytorchConfigFile.Load(path));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
