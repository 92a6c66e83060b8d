using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Runs;

/// <summary>What train resolves from the data into a nerfacto run's config: scene kind, ray bounds, scene normalisation.</summary>
public sealed class ModelFactoryTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public ModelFactoryTests(DemoSceneFixture scene) => this.scene = scene;

    [Fact]
    public void UnboundedCaptureIsNormalisedSoTheCamerasFillTheUnitCube()
    {
        DataParserOutput train = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train") with { Format = "transforms" };
        RunConfig config = ModelFactory.ResolveForData(ModelPresets.Defaults("nerfacto"), train);
        NerfactoConfig n = config.Nerfacto;
        Assert.Equal("unbounded", n.SceneKind);
        Assert.Equal("cameras", n.SceneNormalization);
        double largest = 0, mx = 0, my = 0, mz = 0;
        foreach (var camera in train.Cameras)
        {
            var (x, y, z) = camera.CameraToWorld.Origin;
            mx += x / train.Count;
            my += y / train.Count;
            mz += z / train.Count;
        }

        Assert.Equal(mx, n.SceneCenterX, 1e-9);
        Assert.Equal(my, n.SceneCenterY, 1e-9);
        Assert.Equal(mz, n.SceneCenterZ, 1e-9);
        foreach (var camera in train.Cameras)
        {
            var (x, y, z) = camera.CameraToWorld.Origin;
            largest = Math.Max(largest, new[] { x - mx, y - my, z - mz }.Max(v => Math.Abs(v) * n.SceneScale));
        }

        Assert.Equal(1.0, largest, 1e-9);

        // Resolving again (a resumed run) keeps the saved normalisation even if the data were to change.
        RunConfig again = ModelFactory.ResolveForData(config, train with { Cameras = [.. train.Cameras.Skip(1)], Images = [.. train.Images.Skip(1)] });
        Assert.Equal(n.SceneScale, again.Nerfacto.SceneScale);
    }

    [Theory]
    [InlineData("blender", "auto")]
    [InlineData("llff", "auto")]
    [InlineData("transforms", "none")]
    public void BoundedScenesLlffAndNoneKeepTheWorld(string format, string normalization)
    {
        DataParserOutput train = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train") with { Format = format };
        RunConfig preset = ModelPresets.Defaults("nerfacto");
        RunConfig config = ModelFactory.ResolveForData(preset with { Nerfacto = preset.Nerfacto with { SceneNormalization = normalization } }, train);
        Assert.Equal("none", config.Nerfacto.SceneNormalization);
        Assert.Equal(1.0, config.Nerfacto.SceneScale);
        Assert.Equal(0.0, config.Nerfacto.SceneCenterX);
    }

    [Theory]
    [InlineData("blender", "auto", 0, 96, 48, 24)]
    [InlineData("blender", "off", 0, 128, 64, 32)]
    [InlineData("colmap", "auto", 0, 256, 96, 48)]
    [InlineData("blender", "auto", 200, 200, 48, 24)]
    public void SampleCountsDependOnTheSceneKindAndGridUnlessGiven(string format, string grid, int given, int first, int second, int main)
    {
        DataParserOutput train = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train") with { Format = format };
        RunConfig preset = ModelPresets.Defaults("nerfacto");
        NerfactoConfig n = ModelFactory.ResolveForData(preset with { Nerfacto = preset.Nerfacto with { ProposalSamples1 = given, OccupancyGrid = grid } }, train).Nerfacto;
        Assert.Equal([first, second, main], [n.ProposalSamples1, n.ProposalSamples2, n.NerfSamples]);
    }

    [Theory]
    [InlineData("blender", "auto", "on")]
    [InlineData("blender", "off", "off")]
    [InlineData("colmap", "auto", "off")]
    [InlineData("colmap", "off", "off")]
    public void OccupancyGridIsResolvedOnForBoundedScenesOnly(string format, string given, string resolved)
    {
        DataParserOutput train = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train") with { Format = format };
        RunConfig preset = ModelPresets.Defaults("nerfacto");
        RunConfig config = ModelFactory.ResolveForData(preset with { Nerfacto = preset.Nerfacto with { OccupancyGrid = given } }, train);
        Assert.Equal(resolved, config.Nerfacto.OccupancyGrid);
        var model = (NerfSharp.Models.NerfactoModel)ModelFactory.Create(config with { Data = config.Data with { DatasetType = format } }, train.Background);
        Assert.Equal(resolved == "on", model.Grid != null);

        // A config saved before the option existed holds "auto": that run trained without a grid and loads without one.
        var old = (NerfSharp.Models.NerfactoModel)ModelFactory.Create(config with { Nerfacto = config.Nerfacto with { OccupancyGrid = "auto" } }, train.Background);
        Assert.Null(old.Grid);
    }

    [Fact]
    public void OccupancyGridOnAnUnboundedSceneIsAClearError()
    {
        DataParserOutput train = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train") with { Format = "colmap" };
        RunConfig preset = ModelPresets.Defaults("nerfacto");
        var e = Assert.Throws<ArgumentException>(() => ModelFactory.ResolveForData(preset with { Nerfacto = preset.Nerfacto with { OccupancyGrid = "on" } }, train));
        Assert.Contains("occupancy_grid on needs a bounded scene", e.Message);
    }
}
