using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Models;

/// <summary>Training actually learns: a small scene overfits past a PSNR bar; real lego data lowers the loss.</summary>
public sealed class ConvergenceTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public ConvergenceTests(DemoSceneFixture scene) => this.scene = scene;

    [Fact]
    public void DemoSceneBeatsPsnrThreshold()
    {
        using var dir = new TempDirectory();
        var config = new RunConfig
        {
            OutputDir = dir.Path,
            Data = new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true, TestSkip = 1 },
            Vanilla = new VanillaNerfConfig { NetDepth = 4, NetWidth = 64, NetDepthFine = 4, NetWidthFine = 64, Samples = 24, Importance = 24, Multires = 6, MultiresViews = 2 },
            Trainer = new TrainerConfig { Steps = 300, BatchRays = 512, LearningRate = 5e-3, LearningRateDecay = 0.3, LogEvery = 0, CheckpointEvery = 0, TestsetEvery = 0, VideoEvery = 0, Seed = 1, Chunk = 4096, NetChunk = 1 << 14 },
        };
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        trainer.Run();
        EvaluationResult result = Evaluator.Evaluate(model, train, 4096, outputDir: null, maxImages: 4);
        Assert.True(result.Psnr > 18, $"train-view PSNR {result.Psnr:F2} dB after 300 steps");
    }

    [Fact]
    public void ShortLego400RunLowersTheLoss()
    {
        using var dir = new TempDirectory();
        var config = new RunConfig
        {
            OutputDir = dir.Path,
            Data = new DataConfig { DataDir = SharedData.Data("nerf_synthetic", "lego_400"), WhiteBackground = true, TestSkip = 8 },
            Vanilla = new VanillaNerfConfig { NetDepth = 4, NetWidth = 32, NetDepthFine = 4, NetWidthFine = 32, Samples = 16, Importance = 16 },
            Trainer = new TrainerConfig { Steps = 60, BatchRays = 512, LearningRate = 5e-3, LogEvery = 0, CheckpointEvery = 0, TestsetEvery = 0, VideoEvery = 0, Seed = 2, NetChunk = 1 << 14 },
        };
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        var losses = new List<double>();
        trainer.OnProgress = p => losses.Add(p.Loss.Loss);
        trainer.Run();
        double first = losses.Take(10).Average(), last = losses.TakeLast(10).Average();
        Assert.True(last < 0.7 * first, $"loss went from {first:F4} to {last:F4}");
    }
}
