using System.Text.Json;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// The ngp model through the commands a user runs: train (the default model, with a time budget that ends the run,
/// checkpoints and scores the val split), eval on another copy of the dataset (<c>--data</c>), render a path.
/// </summary>
public sealed class NgpCliEndToEndTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public NgpCliEndToEndTests(DemoSceneFixture scene) => this.scene = scene;

    [Fact]
    public void TimeBudgetedTrainThenEvalOnAnotherFolderAndRender()
    {
        using var dir = new TempDirectory();
        string run = dir.Combine("run");

        // No --model: ngp is the default. The budget (counted from process start, so loading included) ends the run.
        var train = CliRunner.Run(["train", "--data", scene.SceneDir, "--out", run, "--time-budget", "4", "--testskip", "1", "--log-every", "1", .. CliRunner.TinyNgpFlags]);
        Assert.True(train.ExitCode == 0, train.Error + train.Out);
        Assert.Contains("model ngp", train.Out, StringComparison.Ordinal);
        string[] checkpoints = Directory.GetFiles(Path.Combine(run, "checkpoints"), "step_*.safetensors");
        Assert.NotEmpty(checkpoints);
        Assert.Matches(@"val: PSNR \d+\.\d\d dB, SSIM", train.Out);
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement;
        Assert.Equal("ngp", config.GetProperty("model").GetString());
        var last = JsonDocument.Parse(File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))[^1]).RootElement;
        Assert.True(last.GetProperty("rays").GetInt32() > 0);
        Assert.True(last.GetProperty("samples_per_ray").GetDouble() > 0);
        Assert.True(last.GetProperty("samples_per_s").GetDouble() > 0);

        // A copy of the scene elsewhere: eval --data scores the run on that folder's test split.
        string copy = dir.Combine("copy");
        CopyDirectory(scene.SceneDir, copy);
        var eval = CliRunner.Run("eval", "--run", run, "--data", copy, "--split", "test", "--json", "--out", dir.Combine("eval_copy"));
        Assert.True(eval.ExitCode == 0, eval.Error);
        var json = JsonDocument.Parse(eval.Out.Trim()).RootElement;
        Assert.Equal(2, json.GetProperty("images").GetInt32());
        EvalScores.AssertMatchSavedRenders(dir.Combine("eval_copy"), json.GetProperty("psnr").GetDouble(), json.GetProperty("ssim").GetDouble());
        Assert.True(File.Exists(dir.Combine("eval_copy", "000_gt.png")));

        string spiral = dir.Combine("spiral");
        var render = CliRunner.Run("render", "--run", run, "--path", "spiral", "--out", spiral, "--frames", "3");
        Assert.True(render.ExitCode == 0, render.Error);
        Assert.True(File.Exists(Path.Combine(spiral, "002_rgb.png")));
        Assert.True(File.Exists(Path.Combine(spiral, "002_disp.png")));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(d.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(f, f.Replace(from, to, StringComparison.Ordinal));
        }
    }
}
