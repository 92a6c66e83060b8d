using System.Text.Json;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary><c>nerf train --camera-opt</c>: the corrections train with ngp and are reported; bad values and models without ray gradients are user errors.</summary>
public sealed class CameraOptCliTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public CameraOptCliTests(DemoSceneFixture scene) => this.scene = scene;

    [Fact]
    public void TrainWithCameraOptimisationRecordsItInTheConfigAndReportsTheCorrections()
    {
        using var dir = new TempDirectory();
        string run = dir.Combine("run");
        var train = CliRunner.Run(["train", "--data", scene.SceneDir, "--out", run, "--steps", "6", "--camera-opt", "SE3", .. CliRunner.TinyNgpFlags]);
        Assert.True(train.ExitCode == 0, train.Error + train.Out);
        Assert.Matches(@"camera corrections \(SE3\): mean rotation \d+\.\d{3} degrees", train.Out);
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement.GetProperty("cameraOptimizer");
        Assert.Equal("SE3", config.GetProperty("mode").GetString());
        Assert.Equal(16, config.GetProperty("cameras").GetInt32());
    }

    [Fact]
    public void UnknownModeAndVanillaAreUserErrors()
    {
        using var dir = new TempDirectory();
        var bogus = CliRunner.Run(["train", "--data", scene.SceneDir, "--out", dir.Combine("a"), "--steps", "1", "--camera-opt", "SO4", .. CliRunner.TinyNgpFlags]);
        Assert.Equal(1, bogus.ExitCode);
        Assert.Contains("camera_opt must be off, SO3xR3 or SE3", bogus.Error, StringComparison.Ordinal);
        var vanilla = CliRunner.Run("train", "--data", scene.SceneDir, "--out", dir.Combine("b"), "--steps", "1", "--model", "vanilla", "--camera-opt", "SO3xR3");
        Assert.Equal(1, vanilla.ExitCode);
        Assert.Contains("vanilla model has none", vanilla.Error, StringComparison.Ordinal);
    }
}
