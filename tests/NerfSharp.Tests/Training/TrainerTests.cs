using NerfSharp.Parameters;
using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

public sealed class TrainerTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public TrainerTests(DemoSceneFixture scene) => this.scene = scene;

    private RunConfig SmallConfig(string output, int steps) => new()
    {
        OutputDir = output,
        Data = new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true, TestSkip = 1 },
        Vanilla = new VanillaNerfConfig { NetDepth = 4, NetWidth = 16, NetDepthFine = 4, NetWidthFine = 16, Samples = 8, Importance = 8, Multires = 4, MultiresViews = 2, RawNoiseStd = 0.5 },
        Trainer = new TrainerConfig { Steps = steps, BatchRays = 64, LearningRate = 5e-3, LogEvery = 1, CheckpointEvery = 4, TestsetEvery = 0, VideoEvery = 0, Seed = 5 },
    };

    private static float[] TrainRun(RunConfig config, string? resumeFrom, out List<double> losses)
    {
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        if (resumeFrom != null)
        {
            trainer.Resume(resumeFrom);
        }
        else
        {
            trainer.Initialize();
        }

        var recorded = new List<double>();
        trainer.OnProgress = p => recorded.Add(p.Loss.Loss);
        trainer.Run();
        losses = recorded;
        return model.Parameters.Values.ToArray();
    }

    [Fact]
    public void SameSeedGivesIdenticalLosses()
    {
        using var dir = new TempDirectory();
        TrainRun(SmallConfig(dir.Combine("a"), 6), null, out var a);
        TrainRun(SmallConfig(dir.Combine("b"), 6), null, out var b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ResumedRunEndsWithTheWeightsOfAnUninterruptedRun()
    {
        using var dir = new TempDirectory();
        float[] straight = TrainRun(SmallConfig(dir.Combine("straight"), 12), null, out var straightLosses);
        TrainRun(SmallConfig(dir.Combine("split"), 8), null, out _);
        var checkpoint = new CheckpointDirectory(dir.Combine("split", "checkpoints")).LatestPath();
        Assert.EndsWith("step_000008.safetensors", checkpoint);
        float[] resumed = TrainRun(SmallConfig(dir.Combine("split"), 12), checkpoint, out var resumedLosses);
        Assert.Equal(straightLosses.Skip(8), resumedLosses);
        Assert.Equal(straight, resumed);
        var lines = File.ReadAllLines(dir.Combine("split", "metrics.jsonl"));
        Assert.Equal(12, lines.Length);
    }

    [Fact]
    public void CancelledRunCheckpointsWhereItStoppedAndResumesIdentically()
    {
        using var dir = new TempDirectory();
        float[] straight = TrainRun(SmallConfig(dir.Combine("straight"), 10), null, out _);

        RunConfig config = SmallConfig(dir.Combine("cancelled"), 10) with { Trainer = SmallConfig(dir.Path, 10).Trainer with { CheckpointEvery = 0 } };
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        using var cancel = new CancellationTokenSource();
        trainer.OnProgress = p =>
        {
            if (p.Step == 3)
            {
                cancel.Cancel(); // what Ctrl+C does in the CLI
            }
        };
        TrainingResult result = trainer.Run(cancel.Token);
        Assert.True(result.Interrupted);
        Assert.Equal(3, result.Step);
        Assert.EndsWith("step_000003.safetensors", result.CheckpointPath);

        float[] resumed = TrainRun(config, result.CheckpointPath, out _);
        Assert.Equal(straight, resumed);
    }

    [Fact]
    public void DivergenceStopsWithAMessageAndWritesNothingForThatStep()
    {
        using var dir = new TempDirectory();
        var config = SmallConfig(dir.Path, 10) with { Trainer = SmallConfig(dir.Path, 10).Trainer with { CheckpointEvery = 2 } };
        var model = new DivergingModel(divergeAtCall: 5);
        var image = new Image(4, 4, 3);
        var camera = new Camera(PinholeIntrinsics.FromFocal(4, 4, 4), Pose.Identity);
        var data = new DataParserOutput([image], [camera], ["x.png"], 2, 6, BackgroundColor.Black);
        var trainer = new Trainer(config with { Trainer = config.Trainer with { BatchRays = 4 } }, model, data);
        trainer.Initialize();
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Contains("step 5", e.Message);
        Assert.Contains("NaN", e.Message);
        Assert.EndsWith("step_000004.safetensors", trainer.Checkpoints.LatestPath());
    }

    /// <summary>A model whose loss becomes NaN at a chosen call: exercises the trainer's divergence guard.</summary>
    private sealed class DivergingModel : IRadianceModel
    {
        private readonly int divergeAtCall;
        private int calls;

        public DivergingModel(int divergeAtCall)
        {
            this.divergeAtCall = divergeAtCall;
            Parameters = new ParameterStore();
            Parameters.Add("w", [2]);
            Parameters.Freeze();
        }

        public ParameterStore Parameters { get; }

        public void Initialize(Rng rng) => Parameters.Values.AsSpan().Fill(0.5f);

        public TrainLoss AccumulateGradients(RayBatch rays, ReadOnlySpan<float> targetRgb, int lossScaleRays, Rng rng)
        {
            calls++;
            Parameters.Gradients[0] = 0.1f;
            double loss = calls >= divergeAtCall ? double.NaN : 1.0 / calls;
            return new TrainLoss(loss, loss, loss);
        }

        public IReadOnlyList<ParameterGroup> ParameterGroups { get; } = [new ParameterGroup("default", new AdamConfig(), 1e-3, new ConstantSchedule())];

        public IReadOnlyList<StateTensor> State => [];

        public StepStatistics LastStep => new(1, 1);

        public void OnStateRestored()
        {
        }

        public void BeforeStep(long step, Rng rng)
        {
        }

        public RenderContext CreateRenderContext(int maxRays) => throw new NotSupportedException("not rendered in this test");

        public void Render(RayBatch rays, RenderedRays output, RenderContext context) => throw new NotSupportedException("not rendered in this test");
    }
}
