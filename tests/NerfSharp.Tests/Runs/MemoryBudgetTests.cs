using System.Text.Json;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Runs;

/// <summary>
/// --max-memory (max_memory) is honoured: images that would not fit as floats are kept as their 8-bit samples and read back
/// as the very same floats, so training gives the same losses bit for bit; an impossible limit is one clear error; vanilla
/// NeRF's chunks shrink to fit.
/// </summary>
public sealed class MemoryBudgetTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public MemoryBudgetTests(DemoSceneFixture scene) => this.scene = scene;

    [Theory]
    [InlineData("2G", 2L << 30)]
    [InlineData("1.5g", 3L << 29)]
    [InlineData("512M", 512L << 20)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("64K", 64L << 10)]
    [InlineData("1000", 1000L)]
    public void MemorySizesParse(string text, long bytes) => Assert.Equal(bytes, MemorySize.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("-1G")]
    [InlineData("0")]
    [InlineData("two gigs")]
    public void BadMemorySizesAreErrors(string text) => Assert.Throws<FormatException>(() => MemorySize.Parse(text));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CompactImagesReadAsTheSameFloats(bool keepAlpha)
    {
        using var dir = new TempDirectory("nerf-mem");
        var rng = new Random(3);
        var frames = new List<object>();
        for (int k = 0; k < 3; k++)
        {
            var image = new Image(7, 5, 4);
            for (int i = 0; i < image.Pixels.Length; i++)
            {
                // Every alpha from transparent to opaque appears, fractional ones included.
                image.Pixels[i] = rng.Next(256) / 255f;
            }

            Directory.CreateDirectory(dir.Combine("train"));
            PngEncoder.Write(dir.Combine("train", $"r_{k}.png"), image);
            frames.Add(new { file_path = $"./train/r_{k}", transform_matrix = new[] { new[] { 1.0, 0, 0, 0 }, [0, 1.0, 0, 0], [0, 0, 1.0, 4.0], [0, 0, 0, 1.0] } });
        }

        File.WriteAllText(dir.Combine("transforms_train.json"), JsonSerializer.Serialize(new { camera_angle_x = 0.7, frames }));
        var floats = BlenderParser.Load(dir.Path, "train", new BlenderOptions(KeepAlpha: keepAlpha));
        int channels = keepAlpha ? 4 : 3;
        long floatBytes = 3L * 7 * 5 * channels * 4;
        var compact = BlenderParser.Load(dir.Path, "train", new BlenderOptions(KeepAlpha: keepAlpha, MaxImageBytes: floatBytes - 1));
        var unchanged = BlenderParser.Load(dir.Path, "train", new BlenderOptions(KeepAlpha: keepAlpha, MaxImageBytes: floatBytes));
        Assert.False(unchanged.Images[0].IsCompact);
        Span<float> v = stackalloc float[4];
        for (int k = 0; k < 3; k++)
        {
            Image f = floats.Images[k], c = compact.Images[k];
            Assert.False(f.IsCompact);
            Assert.True(c.IsCompact);
            Assert.Equal(channels, c.Channels);
            Assert.Equal(7L * 5 * 4, c.StorageBytes);
            Assert.Throws<InvalidOperationException>(() => c.Pixels);
            Assert.Equal(f.Pixels, c.ToFloat().Pixels);
            for (int y = 0; y < 5; y++)
            {
                for (int x = 0; x < 7; x++)
                {
                    c.ReadPixel(x, y, v);
                    for (int ch = 0; ch < channels; ch++)
                    {
                        Assert.Equal(BitConverter.SingleToInt32Bits(f[x, y, ch]), BitConverter.SingleToInt32Bits(v[ch]));
                    }
                }
            }
        }

        // Not even 8-bit samples fit: one sentence naming the file and the way out, before anything is decoded.
        var e = Assert.Throws<ArgumentException>(() => BlenderParser.Load(dir.Path, "train", new BlenderOptions(MaxImageBytes: (3L * 7 * 5 * 4) - 1)));
        Assert.Contains("transforms_train.json", e.Message);
        Assert.Contains("--max-memory", e.Message);
    }

    [Fact]
    public void TrainingOnCompactImagesGivesTheSameLosses()
    {
        using var dir = new TempDirectory("nerf-mem");
        RunConfig config = SmallConfig(dir.Combine("float"), maxMemory: 0);
        DataParserOutput floats = DatasetLoader.Load(config.Data, "train");
        long floatBytes = floats.Images.Sum(i => i.StorageBytes);
        Assert.False(floats.Images[0].IsCompact);

        // A limit whose image quarter is just below the float images' size.
        RunConfig limited = SmallConfig(dir.Combine("compact"), maxMemory: 4 * (floatBytes - 1));
        DataParserOutput compact = DatasetLoader.Load(limited.Data, "train", maxImageBytes: MemoryBudget.ImageBytes(limited));
        Assert.All(compact.Images, i => Assert.True(i.IsCompact));
        Assert.True(compact.Images.Sum(i => i.StorageBytes) < floatBytes / 2);

        Assert.Equal(Train(config, floats), Train(limited with { Trainer = limited.Trainer with { MaxMemoryBytes = 0 } }, compact));
    }

    [Fact]
    public void VanillaChunksShrinkToTheLimitAndAnImpossibleLimitIsAnError()
    {
        RunConfig config = SmallConfig("unused", maxMemory: 0) with { Vanilla = new VanillaNerfConfig(), Trainer = new TrainerConfig() };
        Assert.Equal(config.Trainer.NetChunk, MemoryBudget.VanillaPointsPerChunk(config));

        // nerf-pytorch's 8x256 networks: 64K points of buffers take far more than the quarter of 1 GiB.
        int points = MemoryBudget.VanillaPointsPerChunk(config with { Trainer = config.Trainer with { MaxMemoryBytes = 1L << 30 } });
        Assert.InRange(points, 192, config.Trainer.NetChunk - 1);
        var model = new VanillaNerf(config.Vanilla, (0f, 0f, 0f), points);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var context = model.CreateRenderContext(1024);
        GC.KeepAlive(context);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 1, (1L << 30) / 8 * 11 / 10);

        var e = Assert.Throws<ArgumentException>(() => MemoryBudget.VanillaPointsPerChunk(config with { Trainer = config.Trainer with { MaxMemoryBytes = 1L << 20 } }));
        Assert.Contains("--max-memory", e.Message);
    }

    private RunConfig SmallConfig(string output, long maxMemory) => new()
    {
        OutputDir = output,
        Model = "vanilla",
        Data = new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true, TestSkip = 1 },
        Vanilla = new VanillaNerfConfig { NetDepth = 2, NetWidth = 16, NetDepthFine = 2, NetWidthFine = 16, Samples = 8, Importance = 8, Multires = 4, MultiresViews = 2 },
        Trainer = new TrainerConfig { Steps = 4, BatchRays = 64, LearningRate = 5e-3, LogEvery = 1, CheckpointEvery = 0, TestsetEvery = 0, VideoEvery = 0, Seed = 5, MaxMemoryBytes = maxMemory },
    };

    private static double[] Train(RunConfig config, DataParserOutput train)
    {
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        var losses = new List<double>();
        trainer.OnProgress = p => losses.Add(p.Loss.Loss);
        trainer.Run();
        Assert.Equal(4, losses.Count);
        return [.. losses];
    }
}
