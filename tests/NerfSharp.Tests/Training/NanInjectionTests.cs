using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.IO;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

/// <summary>
/// NaN/Inf written into a parameter of the real vanilla model in the middle of a run: the trainer notices within one
/// step, stops with a message, and the last checkpoint on disk is the last good one (finite, unchanged).
/// </summary>
public sealed class NanInjectionTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public NanInjectionTests(DemoSceneFixture scene) => this.scene = scene;

    private RunConfig SmallConfig(string output, int steps) => new()
    {
        OutputDir = output,
        Data = new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true, TestSkip = 1 },
        Vanilla = new VanillaNerfConfig { NetDepth = 4, NetWidth = 16, NetDepthFine = 4, NetWidthFine = 16, Samples = 8, Importance = 8, Multires = 4, MultiresViews = 2 },
        Trainer = new TrainerConfig { Steps = steps, BatchRays = 64, LearningRate = 5e-3, LogEvery = 1, CheckpointEvery = 4, TestsetEvery = 0, VideoEvery = 0, Seed = 5 },
    };

    private (Trainer Trainer, IRadianceModel Model) NewTrainer(RunConfig config)
    {
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        return (trainer, model);
    }

    /// <summary>Parameters spread over the model: first and last tensors, every tensor's first entry, random entries.</summary>
    public static TheoryData<int, float> Injections()
    {
        var data = new TheoryData<int, float>();
        foreach (int pick in new[] { 0, 1, 2, 3, 5, 8, 13, 21 })
        {
            data.Add(pick, float.NaN);
        }

        data.Add(4, float.PositiveInfinity);
        data.Add(7, float.NegativeInfinity);
        return data;
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public void NonFiniteParameterAfterACheckpointIsCaughtAtTheNextStep(int pick, float value)
    {
        using var dir = new TempDirectory();
        var (trainer, model) = NewTrainer(SmallConfig(dir.Path, 20));
        var store = model.Parameters;
        var rng = new Random(pick);
        var tensor = store.Tensors[pick % store.Tensors.Count];
        int index = tensor.Offset + (pick < 4 ? 0 : rng.Next(tensor.Length));
        float[]? atCheckpoint = null;
        trainer.OnCheckpoint = (step, _) =>
        {
            if (step == 8)
            {
                atCheckpoint = store.Values.ToArray();
                store.Values[index] = value;
            }
        };

        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.True(e.Message.Contains("step 9", StringComparison.Ordinal), $"{tensor.Name}[{index - tensor.Offset}] = {value} was caught late: {e.Message}");
        string latest = trainer.Checkpoints.LatestPath()!;
        Assert.EndsWith("step_000008.safetensors", latest);
        Assert.Contains(latest, e.Message);
        var file = SafetensorsFile.Read(latest);
        foreach (var t in store.Tensors)
        {
            float[] saved = file[t.Name].ToFloats();
            Assert.Equal(atCheckpoint!.AsSpan(t.Offset, t.Length).ToArray(), saved);
            Assert.True(saved.All(float.IsFinite));
        }

        Assert.False(File.Exists(Path.Combine(dir.Path, "checkpoints", "step_000012.safetensors")));
        var steps = File.ReadAllLines(Path.Combine(dir.Path, "metrics.jsonl")).Length;
        Assert.Equal(8, steps); // nothing was logged for the diverged step
    }

    [Fact]
    public void NonFiniteParameterIsNeverWrittenIntoACheckpoint()
    {
        // Injected just before the checkpoint of step 8 is written: that checkpoint must not appear, step 4 stays the last.
        using var dir = new TempDirectory();
        var (trainer, model) = NewTrainer(SmallConfig(dir.Path, 20));
        trainer.OnProgress = p =>
        {
            if (p.Step == 8)
            {
                model.Parameters.Values[model.Parameters.Count / 2] = float.NaN;
            }
        };

        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Contains("step 8", e.Message);
        Assert.EndsWith("step_000004.safetensors", trainer.Checkpoints.LatestPath());
        foreach (var (_, path) in trainer.Checkpoints.List())
        {
            var file = SafetensorsFile.Read(path);
            Assert.All(file.Tensors, t => Assert.True(t.ToFloats().All(float.IsFinite), $"{path}: {t.Name} is not finite"));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "checkpoints"), "*.tmp"));
    }
}
