using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Models;

/// <summary>nerfacto end to end: convergence on the demo scene's held-out views, checkpointed state, eval and render.</summary>
public sealed class NerfactoModelTests : IClassFixture<DemoSceneFixture>
{
    /// <summary>
    /// Measured 17.84 dB on 2026-12-02 with pixel centres and in-pixel jitter (16.36 without them; deterministic for any
    /// thread count) and the mean embedding; 17.86 with the nearest camera's (the default since); 18.42 with the occupancy
    /// grid (on by default in the demo's scene box) and lr_final 2e-3; the floor sits about 1 dB below.
    /// </summary>
    private const double PinnedDemoPsnr = 17.4;

    private const int DemoSteps = 150;

    private readonly DemoSceneFixture scene;

    public NerfactoModelTests(DemoSceneFixture scene) => this.scene = scene;

    /// <summary>A small nerfacto: the ngp keys' small hash grid, fewer samples per stage, 512 rays per step.</summary>
    internal static RunConfig SmallConfig(string sceneDir, string output, int steps)
    {
        RunConfig preset = ModelPresets.Defaults("nerfacto");
        return preset with
        {
            OutputDir = output,
            Data = preset.Data with { DataDir = sceneDir, TestSkip = 1 },
            Ngp = preset.Ngp with { HashLevels = 8, Log2HashmapSize = 14, MaxResolution = 256 },
            Nerfacto = preset.Nerfacto with { ProposalSamples1 = 64, ProposalSamples2 = 32, NerfSamples = 16, AnnealSteps = 100 },
            Trainer = preset.Trainer with { Steps = steps, BatchRays = 512, LogEvery = 0, CheckpointEvery = steps, Seed = 1, Chunk = 1024 },
        };
    }

    [Fact]
    public void ProposalWeightsAnnealWithSlopeTenOverTheFirstThousandSteps()
    {
        Assert.Equal(0f, NerfactoModel.AnnealAt(0, 1000, 10));
        Assert.Equal(1f / 1.9f, NerfactoModel.AnnealAt(100, 1000, 10), 6); // x = 0.1: 10 x / (9 x + 1)
        Assert.Equal(5f / 5.5f, NerfactoModel.AnnealAt(500, 1000, 10), 6);
        Assert.Equal(1f, NerfactoModel.AnnealAt(1000, 1000, 10));
        Assert.Equal(1f, NerfactoModel.AnnealAt(50_000, 1000, 10));
    }

    [Fact]
    public void LearningRateDecaysLogLinearlyOverTheRun()
    {
        var schedule = new NerfSharp.Parameters.LogLinearDecaySchedule(0.01);
        Assert.Equal(1.0, schedule.Factor(0, 0), 12);
        Assert.Equal(0.1, schedule.Factor(10, 0.5), 12);
        Assert.Equal(0.01, schedule.Factor(20, 1), 12);
        Assert.Equal(0.01, schedule.Factor(30, 1.5), 12);
    }

    [Fact]
    public void DemoSceneBeatsPsnrOnHeldOutViews()
    {
        using var dir = new TempDirectory();
        RunConfig config = SmallConfig(scene.SceneDir, dir.Path, DemoSteps);
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        config = ModelFactory.ResolveForData(config, train);
        Assert.Equal("bounded", config.Nerfacto.SceneKind);
        Assert.Equal(train.Count, config.Nerfacto.TrainImages);
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        ModelFactory.AttachData(model, train);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        trainer.Run();
        DataParserOutput test = DatasetLoader.Load(config.Data, "test");
        EvaluationResult result = Evaluator.Evaluate(model, test, 4096, outputDir: null);
        Console.WriteLine($"nerfacto demo: test PSNR {result.Psnr:F2} dB after {DemoSteps} steps");
        Assert.True(result.Psnr > PinnedDemoPsnr, $"test-view PSNR {result.Psnr:F2} dB after {DemoSteps} steps (pinned floor {PinnedDemoPsnr} dB)");

        // The run reopens from its checkpoint (parameters and camera centres) and renders the same.
        new RunFolder(dir.Path).WriteConfig(config);
        TrainedRun run = TrainedRun.Open(dir.Path);
        var restored = Assert.IsType<NerfactoModel>(run.Model);
        Assert.Equal(model.Parameters.Values, restored.Parameters.Values);
        Assert.Equal(((NerfactoModel)model).CameraCentres, restored.CameraCentres);
        Assert.NotEqual(new float[restored.CameraCentres.Length], restored.CameraCentres);
        EvaluationResult again = Evaluator.Evaluate(restored, test, 4096, outputDir: null);
        Assert.Equal(result.Psnr, again.Psnr);

        // The mean embedding instead of the nearest training camera's: a different image.
        Assert.Equal("nearest", config.Nerfacto.AppearanceEval);
        new RunFolder(dir.Path).WriteConfig(config with { Nerfacto = config.Nerfacto with { AppearanceEval = "mean" } });
        EvaluationResult mean = Evaluator.Evaluate(TrainedRun.Open(dir.Path).Model, test, 4096, outputDir: null);
        Console.WriteLine($"nerfacto demo: test PSNR {mean.Psnr:F2} dB with the mean embedding");
        Assert.NotEqual(result.Psnr, mean.Psnr);
        Assert.True(mean.Psnr > PinnedDemoPsnr - 3, $"mean embedding: {mean.Psnr:F2} dB");
    }
}
