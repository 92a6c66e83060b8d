using NerfSharp.Tests.Cli;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Viewer;

/// <summary>A tiny ngp run (60 steps) on the 32x32 demo scene, trained once for the viewer tests of one class.</summary>
public sealed class TrainedDemoRunFixture : IDisposable
{
    private readonly DemoSceneFixture scene = new();
    private readonly TempDirectory dir = new("nerf-viewer-run");

    public TrainedDemoRunFixture()
    {
        RunDir = dir.Combine("run");
        var train = CliRunner.Run(["train", "--data", scene.SceneDir, "--out", RunDir, "--steps", "60", "--testskip", "1", .. CliRunner.TinyNgpFlags]);
        if (train.ExitCode != 0)
        {
            throw new InvalidOperationException($"training the viewer's test run failed: {train.Error}{train.Out}");
        }
    }

    public string SceneDir => scene.SceneDir;

    public string RunDir { get; }

    public void Dispose()
    {
        dir.Dispose();
        scene.Dispose();
    }
}
