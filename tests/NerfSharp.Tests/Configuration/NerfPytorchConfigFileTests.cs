using NerfSharp.Configuration;

namespace NerfSharp.Tests.Configuration;

public sealed class NerfPytorchConfigFileTests : IDisposable
{
    // nerf-pytorch's configs/lego.txt, verbatim.
    private const string LegoTxt = """
        expname = blender_paper_lego
        basedir = ./logs
        datadir = ./data/nerf_synthetic/lego
        dataset_type = blender

        no_batching = True

        use_viewdirs = True
        white_bkgd = True
        lrate_decay = 500

        N_samples = 64
        N_importance = 128
        N_rand = 1024

        precrop_iters = 500
        precrop_frac = 0.5

        half_res = True
        """;

    // nerf-pytorch's configs/fern.txt, verbatim.
    private const string FernTxt = """
        expname = fern_test
        basedir = ./logs
        datadir = ./data/llff/fern
        dataset_type = llff

        factor = 8
        llffhold = 8

        N_rand = 1024
        N_samples = 64
        N_importance = 64

        use_viewdirs = True
        raw_noise_std = 1e0

        """;

    private readonly string dir = Directory.CreateTempSubdirectory("nerfsharp-cfg-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void LegoConfigMapsOntoRunConfig()
    {
        RunConfig c = NerfPytorchConfigFile.Load(Write("lego.txt", LegoTxt));
        Assert.Equal("blender_paper_lego", c.ExperimentName);
        Assert.Equal("./logs", c.BaseDir);
        Assert.Equal("./data/nerf_synthetic/lego", c.Data.DataDir);
        Assert.Equal("blender", c.Data.DatasetType);
        Assert.True(c.Trainer.NoBatching);
        Assert.True(c.Vanilla.UseViewDirs);
        Assert.True(c.Data.WhiteBackground);
        Assert.Equal(500, c.Trainer.LearningRateDecay);
        Assert.Equal(64, c.Vanilla.Samples);
        Assert.Equal(128, c.Vanilla.Importance);
        Assert.Equal(1024, c.Trainer.BatchRays);
        Assert.Equal(500, c.Trainer.PrecropIters);
        Assert.Equal(0.5, c.Trainer.PrecropFrac);
        Assert.True(c.Data.HalfRes);

        // Everything else keeps nerf-pytorch's argparse defaults.
        Assert.Equal(5e-4, c.Trainer.LearningRate);
        Assert.Equal(8, c.Data.TestSkip);
        Assert.True(c.Vanilla.Perturb);
        Assert.Equal(0.0, c.Vanilla.RawNoiseStd);
        Assert.Equal((8, 256, 8, 256), (c.Vanilla.NetDepth, c.Vanilla.NetWidth, c.Vanilla.NetDepthFine, c.Vanilla.NetWidthFine));
        Assert.Equal((10, 4), (c.Vanilla.Multires, c.Vanilla.MultiresViews));
        Assert.Equal((32768, 65536), (c.Trainer.Chunk, c.Trainer.NetChunk));
        Assert.Equal((100, 500, 10_000, 50_000, 50_000), (c.Trainer.LogEvery, c.Trainer.ImageEvery, c.Trainer.CheckpointEvery, c.Trainer.TestsetEvery, c.Trainer.VideoEvery));
        Assert.Equal(200_000, c.Trainer.Steps);
        Assert.False(c.Vanilla.LinDisp);
        Assert.False(c.Render.RenderOnly);
    }

    [Fact]
    public void LegoLoadedOverDefaultsEqualsRunConfigDefaultsWhereBothAreLego()
    {
        // RunConfig's defaults are the lego setup; the file must reproduce them where lego.txt speaks.
        RunConfig fromFile = NerfPytorchConfigFile.Load(Write("lego.txt", LegoTxt), new RunConfig());
        var d = new RunConfig();
        Assert.Equal(d.Vanilla, fromFile.Vanilla);
        Assert.Equal(d.Trainer with { NoBatching = true, LearningRateDecay = 500, PrecropIters = 500 }, fromFile.Trainer);
    }

    [Fact]
    public void FernConfigMapsLlffOptions()
    {
        RunConfig c = NerfPytorchConfigFile.Load(Write("fern.txt", FernTxt));
        Assert.Equal("llff", c.Data.DatasetType);
        Assert.Equal(8, c.Data.Factor);
        Assert.Equal(8, c.Data.LlffHold);
        Assert.Equal(64, c.Vanilla.Importance);
        Assert.Equal(1.0, c.Vanilla.RawNoiseStd);
        Assert.False(c.Data.NoNdc);
        Assert.False(c.Data.WhiteBackground);
    }

    [Fact]
    public void ParseReturnsPairsInFileOrder()
    {
        var pairs = NerfPytorchConfigFile.Parse(Write("lego.txt", LegoTxt));
        Assert.Equal(14, pairs.Count);
        Assert.Equal(new KeyValuePair<string, string>("expname", "blender_paper_lego"), pairs[0]);
        Assert.Equal(new KeyValuePair<string, string>("N_rand", "1024"), pairs[10]);
        Assert.Equal(new KeyValuePair<string, string>("half_res", "True"), pairs[^1]);
    }

    [Fact]
    public void ConfigargparseSyntaxVariants()
    {
        string path = Write("variants.txt", """
            # a comment
            ; another comment
            expname: colon_form
            N_samples 32
            lrate=1e-3   # inline comment
            white_bkgd
            half_res = false
            no_batching = 1
            use_viewdirs = 0
            lindisp = TRUE
            perturb = 0.
            datadir = "./data/with space"
            seed = 42
            N_iters = 3000
            i_embed = 0
            N_samples = 48
            """);
        var c = NerfPytorchConfigFile.Load(path);
        Assert.Equal("colon_form", c.ExperimentName);
        Assert.Equal(48, c.Vanilla.Samples); // the later value wins, as in argparse
        Assert.Equal(1e-3, c.Trainer.LearningRate);
        Assert.True(c.Data.WhiteBackground);
        Assert.False(c.Data.HalfRes);
        Assert.True(c.Trainer.NoBatching);
        Assert.False(c.Vanilla.UseViewDirs);
        Assert.True(c.Vanilla.LinDisp);
        Assert.False(c.Vanilla.Perturb);
        Assert.Equal("./data/with space", c.Data.DataDir);
        Assert.Equal(42UL, c.Trainer.Seed);
        Assert.Equal(3000, c.Trainer.Steps);
    }

    [Fact]
    public void UnknownKeyNamesKeyFileAndLine()
    {
        string path = Write("typo.txt", "expname = x\n\nN_sample = 64\n");
        var e = Assert.Throws<DataFormatException>(() => NerfPytorchConfigFile.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'N_sample'", e.Message);
        var e2 = Assert.Throws<DataFormatException>(() => NerfPytorchConfigFile.Parse(path));
        Assert.Contains("line 3", e2.Message);
    }

    [Theory]
    [InlineData("N_samples = sixty-four", "N_samples")]
    [InlineData("N_rand = 1024.5", "N_rand")]
    [InlineData("white_bkgd = maybe", "white_bkgd")]
    [InlineData("lrate = fast", "lrate")]
    [InlineData("lrate = -1e-3", "lrate")]
    [InlineData("perturb = nan", "perturb")]
    [InlineData("precrop_frac = 1.5", "precrop_frac")]
    [InlineData("N_samples = 0", "N_samples")]
    [InlineData("seed = -1", "seed")]
    [InlineData("i_embed = -1", "i_embed")]
    [InlineData("expname =", "expname")]
    public void BadValueNamesKeyFileAndLine(string line, string key)
    {
        string path = Write("bad.txt", $"# header\n{line}\n");
        var e = Assert.Throws<DataFormatException>(() => NerfPytorchConfigFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 2", e.Message);
        Assert.Contains($"'{key}'", e.Message);
    }

    [Fact]
    public void ApplyNamesTheSourceForOverrides()
    {
        var pairs = new List<KeyValuePair<string, string>> { new("N_importance", "0"), new("netwidth", "64") };
        var c = NerfPytorchConfigFile.Apply(new RunConfig(), pairs, "command line");
        Assert.Equal(0, c.Vanilla.Importance);
        Assert.Equal(64, c.Vanilla.NetWidth);
        Assert.Equal(new RunConfig().Trainer, c.Trainer);

        var e = Assert.Throws<DataFormatException>(() => NerfPytorchConfigFile.Apply(c, [new("bogus", "1")], "command line"));
        Assert.Equal("command line", e.FilePath);
        Assert.Contains("'bogus'", e.Message);
    }

    [Fact]
    public void EveryDocumentedKeyIsAccepted()
    {
        string[] keys =
        [
            "expname", "basedir", "datadir", "dataset_type", "no_batching", "use_viewdirs", "white_bkgd", "lrate", "lrate_decay",
            "N_samples", "N_importance", "N_rand", "precrop_iters", "precrop_frac", "half_res", "testskip", "chunk", "netchunk",
            "multires", "multires_views", "raw_noise_std", "perturb", "i_print", "i_weights", "i_testset", "i_video", "render_only",
            "render_test", "render_factor", "netdepth", "netwidth", "netdepth_fine", "netwidth_fine", "lindisp", "i_img", "i_embed",
            "seed", "N_iters", "factor", "spherify", "no_ndc", "llffhold", "shape", "ft_path", "no_reload", "config",
        ];
        string[] nerfSharpKeys =
        [
            "model", "time_budget", "target_samples", "max_batch_rays", "random_bkgd", "hash_levels", "hash_features", "log2_hashmap_size",
            "base_resolution", "max_resolution", "scene_box", "grid_resolution", "grid_warmup", "render_steps", "mlp_weight_decay", "loss",
            "alpha_threshold", "early_stop", "lr_warmup", "aabb_scale", "lr_milestones", "pixel_centers", "pixel_jitter", "camera_opt", "camera_opt_lr", "max_memory",
            "proposal_samples_1", "proposal_samples_2", "nerf_samples", "appearance_dim", "appearance_eval", "background", "background_color",
            "contraction", "scene_kind", "near_plane", "far_plane", "ray_bounds", "scene_normalization", "occupancy_grid", "occupancy_grid_resolution", "interlevel_weight", "distortion_weight", "anneal_steps",
            "anneal_slope", "lr_final",
        ];
        Assert.Equal(keys.Concat(nerfSharpKeys).Order(StringComparer.Ordinal), NerfPytorchConfigFile.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MissingFileIsDataFormatError()
    {
        string path = Path.Combine(dir, "absent.txt");
        var e = Assert.Throws<DataFormatException>(() => NerfPytorchConfigFile.Load(path));
        Assert.Equal(path, e.FilePath);
    }
}
