using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary>`nerf train` on a real COLMAP capture, format auto-detected (a few steps of a tiny model).</summary>
public sealed class CaptureTrainEndToEndTests
{
    [Fact]
    public void TrainsAFewStepsOnTheBonsaiColmapCapture()
    {
        using var dir = new TempDirectory();
        string run = dir.Combine("run");
        var train = CliRunner.Run(
            ["train", "--data", SharedData.Data("colmap", "bonsai_3view"), "--model", "vanilla", "--out", run, "--steps", "3",
             "--factor", "8", "--llffhold", "0", "--log-every", "1", .. CliRunner.TinyModelFlags]);
        Assert.True(train.ExitCode == 0, train.Error + train.Out);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
    }
}
