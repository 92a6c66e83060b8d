using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Runs;
using NerfSharp.Sampling;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Models;

/// <summary>
/// The ngp model end to end: its gradient against finite differences of its own loss, the occupancy grid as checkpointed
/// state, and convergence on held-out views (demo scene and lego_400) at fixed step counts.
/// </summary>
public sealed class NgpModelTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public NgpModelTests(DemoSceneFixture scene) => this.scene = scene;

    /// <summary>A small ngp model: 8 levels, 2^12 table, finest resolution 128, a 32^3 grid.</summary>
    private static NgpConfig SmallNgp => new()
    {
        HashLevels = 8,
        Log2HashmapSize = 12,
        MaxResolution = 128,
        GridResolution = 32,
        GridWarmupSteps = 32,
        SceneBoxHalfSize = 1.5,
        RenderStepsPerDiagonal = 256,
    };

    [Fact]
    public void GradientMatchesFiniteDifferencesOfTheLoss()
    {
        var model = new NgpModel(SmallNgp, SceneBox.Cube(1.5f), 1e-2, maxRays: 64, maxSamples: 1 << 14);
        model.Initialize(new Rng(3));

        // Every cell occupied, so the samples do not depend on the (parameter-dependent) grid.
        Array.Fill(model.Grid.Values, 1f);
        model.OnStateRestored();

        // Larger random weights than the init so that densities and colours vary along rays.
        var init = new Rng(11);
        float[] values = model.Parameters.Values;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (init.NextFloat() - 0.5f) * (i < model.Field.Encoding.ParameterCount ? 2f : 0.6f);
        }

        DataParserOutput data = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train");
        var rays = new RayBatch(24);
        var target = new float[3 * 24];
        var pick = new Rng(5);
        for (int i = 0; i < rays.Capacity; i++)
        {
            int image = pick.NextInt(data.Count), x = pick.NextInt(32), y = pick.NextInt(32);
            rays.Set(i, RayGenerator.GetRay(data.Cameras[image], x, y), data.Near, data.Far, image);
            target[3 * i] = pick.NextFloat();
            target[(3 * i) + 1] = pick.NextFloat();
            target[(3 * i) + 2] = pick.NextFloat();
        }

        rays.Count = rays.Capacity;
        rays.FillBackground(0.2f, 0.5f, 0.9f);
        double Loss()
        {
            model.Parameters.ZeroGradients();
            return model.AccumulateGradients(rays, target, rays.Count, new Rng(9)).Loss;
        }

        Loss();
        float[] analytic = (float[])model.Parameters.Gradients.Clone();
        Assert.True(model.LastStep.Samples > 100, $"only {model.LastStep.Samples} samples");

        // Probe parameters with a clear gradient: hash entries touched by the samples and MLP weights.
        double scale = analytic.Max(v => Math.Abs((double)v));
        var result = GradientCheck.Check(
            values, Loss, analytic, probes: 40, eps: 2e-3, tolerance: 5e-2, floor: 1e-3 * scale, seed: 4,
            skip: i => Math.Abs(analytic[i]) < 1e-2 * scale);
        Assert.True(result.Probes >= 20, $"only {result.Probes} probes");
    }

    [Fact]
    public void OccupancyGridIsCheckpointedAndRestored()
    {
        using var dir = new TempDirectory();
        RunConfig config = Config(dir.Path, steps: 40);
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        var model = (NgpModel)ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        trainer.Run();
        new RunFolder(dir.Path).WriteConfig(config);

        TrainedRun run = TrainedRun.Open(dir.Path);
        var restored = Assert.IsType<NgpModel>(run.Model);
        Assert.Equal(model.Grid.Values, restored.Grid.Values);
        Assert.Equal(model.Grid.OccupiedCount, restored.Grid.OccupiedCount);
        Assert.True(model.Grid.OccupiedFraction is > 0 and < 1, $"occupancy {model.Grid.OccupiedFraction}");
        Assert.Equal(model.Parameters.Values, restored.Parameters.Values);
    }

    [Fact]
    public void DemoSceneBeatsPsnrOnHeldOutViews()
    {
        using var dir = new TempDirectory();
        RunConfig config = Config(dir.Path, steps: 250);
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        trainer.Run();
        DataParserOutput test = DatasetLoader.Load(config.Data, "test");
        EvaluationResult result = Evaluator.Evaluate(model, test, 4096, outputDir: null);
        Assert.True(result.Psnr > PinnedDemoPsnr, $"test-view PSNR {result.Psnr:F2} dB after 250 steps (pinned floor {PinnedDemoPsnr} dB)");
    }

    [Fact]
    public void Lego400ReachesAPsnrFloorOnValViews()
    {
        using var dir = new TempDirectory();
        RunConfig preset = ModelPresets.Defaults("ngp");
        var config = preset with
        {
            OutputDir = dir.Path,
            Data = preset.Data with { DataDir = SharedData.Data("nerf_synthetic", "lego_400"), TestSkip = 50 },
            Trainer = preset.Trainer with { Steps = 120, TargetSamplesPerStep = 1 << 15, LogEvery = 0, CheckpointEvery = 0, Seed = 3 },
        };
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        trainer.Run();
        DataParserOutput val = DatasetLoader.Load(config.Data, "val");
        EvaluationResult result = Evaluator.Evaluate(model, val, 1 << 14, outputDir: null);
        Assert.True(result.Psnr > PinnedLegoPsnr, $"val PSNR {result.Psnr:F2} dB after 120 steps (pinned floor {PinnedLegoPsnr} dB)");
    }

    /// <summary>Measured 2026-12-02: see the closing note; the floors sit about 1 dB below.</summary>
    private const double PinnedDemoPsnr = 20.0;

    private const double PinnedLegoPsnr = 15.0;

    private RunConfig Config(string output, int steps) => ModelPresets.Defaults("ngp") with
    {
        OutputDir = output,
        Data = new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true, RandomBackground = true, TestSkip = 1 },
        Ngp = SmallNgp,
        Trainer = ModelPresets.Defaults("ngp").Trainer with
        {
            Steps = steps,
            BatchRays = 512,
            TargetSamplesPerStep = 1 << 13,
            MaxBatchRays = 4096,
            LogEvery = 0,
            CheckpointEvery = steps,
            Seed = 1,
            Chunk = 4096,
        },
    };
}
