using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// Every kind of bad input to the CLI exits 1 with one sentence on stderr that names the file and the problem, and
/// leaves nothing half-written: no run folder, config.json, checkpoint, metrics or eval output created or changed.
/// </summary>
public sealed class CliBadInputTests : IClassFixture<DemoSceneFixture>, IDisposable
{
    private readonly DemoSceneFixture scene;
    private readonly TempDirectory dir = new("nerf-badinput");

    public CliBadInputTests(DemoSceneFixture scene) => this.scene = scene;

    public void Dispose() => dir.Dispose();

    private string[] TrainArgs(string data, string output, int steps, params string[] extra) =>
        ["train", "--data", data, "--model", "vanilla", "--out", output, "--steps", steps.ToString(), "--white_bkgd", "--testskip", "1", "--log-every", "1", .. CliRunner.TinyModelFlags, .. extra];

    /// <summary>Runs the CLI and checks exit code 1, a one-line message naming <paramref name="named"/>, and that <paramref name="watched"/> did not change.</summary>
    private static CliRunner.Result AssertUserError(string[] args, string named, params string[] watched)
    {
        var before = watched.Select(DirectorySnapshot.Take).ToArray();
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 1, $"exit code {r.ExitCode}; stderr: {r.Error}; stdout: {r.Out}");
        string message = r.Error.Trim();
        Assert.StartsWith("error: ", message);
        Assert.DoesNotContain('\n', message);
        Assert.Contains(named, message);
        Assert.DoesNotContain("   at ", message); // no stack trace for a user's error
        foreach (var snapshot in before)
        {
            DirectorySnapshot.AssertUnchanged(snapshot, $"'{string.Join(' ', args)}' failed but touched {snapshot.Root}");
        }

        return r;
    }

    private string TrainedRun()
    {
        string run = dir.Combine("trained");
        if (!Directory.Exists(run))
        {
            var r = CliRunner.Run(TrainArgs(scene.SceneDir, run, 2));
            Assert.True(r.ExitCode == 0, r.Error);
        }

        return run;
    }

    private string CopyOfScene(string name)
    {
        string copy = dir.Combine(name);
        foreach (string file in Directory.EnumerateFiles(scene.SceneDir, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(scene.SceneDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private string CopyOfRun(string name)
    {
        string source = TrainedRun();
        string copy = dir.Combine(name);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    [Fact]
    public void MissingDatasetFolder()
    {
        string run = dir.Combine("run");
        AssertUserError(TrainArgs(dir.Combine("nope"), run, 1), "nope", run);
    }

    [Fact]
    public void TruncatedPngInTheTrainingSet()
    {
        string data = CopyOfScene("truncated");
        string png = Path.Combine(data, "train", "r_3.png");
        byte[] bytes = File.ReadAllBytes(png);
        File.WriteAllBytes(png, bytes[..(bytes.Length / 2)]);
        string run = dir.Combine("run");
        AssertUserError(TrainArgs(data, run, 1), png, run, data);
    }

    [Fact]
    public void PngThatIsNotAPng()
    {
        string data = CopyOfScene("notpng");
        string png = Path.Combine(data, "train", "r_0.png");
        File.WriteAllText(png, "this is not an image");
        string run = dir.Combine("run");
        AssertUserError(TrainArgs(data, run, 1), png, run, data);
    }

    [Fact]
    public void MalformedTransformsJson()
    {
        string data = CopyOfScene("badjson");
        string json = Path.Combine(data, "transforms_train.json");
        File.WriteAllText(json, File.ReadAllText(json)[..40]);
        string run = dir.Combine("run");
        AssertUserError(TrainArgs(data, run, 1), json, run, data);
    }

    [Fact]
    public void MissingImageNamedByTransforms()
    {
        string data = CopyOfScene("noimage");
        string png = Path.Combine(data, "train", "r_5.png");
        File.Delete(png);
        string run = dir.Combine("run");
        AssertUserError(TrainArgs(data, run, 1), "r_5.png", run, data);
    }

    [Fact]
    public void UnknownFlagAndBadFlagValue()
    {
        string run = dir.Combine("run");
        AssertUserError(TrainArgs(scene.SceneDir, run, 1, "--N_sampels", "3"), "N_sampels", run);
        AssertUserError(TrainArgs(scene.SceneDir, run, 1, "--N_samples", "many"), "N_samples", run);
        AssertUserError(["train", "--data", scene.SceneDir, "--out", run, "--steps", "ten"], "steps", run);
        AssertUserError(["eval", "--run", TrainedRun(), "--bogus", "1"], "bogus", TrainedRun());
    }

    [Fact]
    public void BadConfigFile()
    {
        string cfg = dir.Combine("bad.txt");
        File.WriteAllText(cfg, $"expname = x\nbasedir = {dir.Combine("logs")}\nN_samples = -4\n");
        AssertUserError(["train", "--config", cfg], cfg, dir.Combine("logs"));
        AssertUserError(["train", "--config", dir.Combine("absent.txt")], "absent.txt", dir.Combine("logs"));
    }

    [Fact]
    public void ADivergedRunIsAUserErrorAndKeepsItsCheckpoint()
    {
        string run = CopyOfRun("diverge");
        string checkpoints = Path.Combine(run, "checkpoints");
        string latest = Directory.EnumerateFiles(checkpoints).Order(StringComparer.Ordinal).Last();
        var r = AssertUserError(["train", "--resume", run, "--steps", "8", "--lrate", "1e30"], Path.GetFileName(latest), checkpoints);
        Assert.Contains("diverged", r.Error);
    }

    [Fact]
    public void ResumeWithoutACheckpointIsAnErrorNotAFreshStart()
    {
        string run = CopyOfRun("nockpt");
        Directory.Delete(Path.Combine(run, "checkpoints"), recursive: true);
        var r = AssertUserError(["train", "--resume", run, "--steps", "4"], Path.Combine(run, "checkpoints"), run);
        Assert.Contains("no checkpoint", r.Error);
        Assert.DoesNotContain("resumed", r.Out);
    }

    [Fact]
    public void ResumeOfAFolderThatIsNotARun()
    {
        string notRun = dir.Combine("empty");
        Directory.CreateDirectory(notRun);
        AssertUserError(["train", "--resume", notRun], "config.json", notRun);
        AssertUserError(["train", "--resume", dir.Combine("absent")], "absent", dir.Combine("absent"));
    }

    [Fact]
    public void ResumeWithATruncatedCheckpoint()
    {
        string run = CopyOfRun("truncckpt");
        string ckpt = Path.Combine(run, "checkpoints", "step_000002.safetensors");
        byte[] bytes = File.ReadAllBytes(ckpt);
        File.WriteAllBytes(ckpt, bytes[..(bytes.Length - 100)]);
        AssertUserError(["train", "--resume", run, "--steps", "4"], ckpt, run);
        AssertUserError(["eval", "--run", run, "--split", "val"], ckpt, run);
        AssertUserError(["render", "--run", run, "--path", "spiral", "--frames", "2"], ckpt, run);
    }

    [Fact]
    public void TrainingIntoAFolderThatHoldsCheckpoints()
    {
        string run = TrainedRun();
        AssertUserError(TrainArgs(scene.SceneDir, run, 3), run, run);
    }

    [Fact]
    public void EvalOfAMissingSplitOrARunWithoutCheckpoints()
    {
        string run = TrainedRun();
        AssertUserError(["eval", "--run", run, "--split", "nosuchsplit"], "transforms_nosuchsplit.json", run);
        string noCkpt = CopyOfRun("evalnockpt");
        Directory.Delete(Path.Combine(noCkpt, "checkpoints"), recursive: true);
        AssertUserError(["eval", "--run", noCkpt, "--split", "val"], "checkpoints", noCkpt);
    }

    [Fact]
    public void RenderOfAnUnknownPath()
    {
        string run = TrainedRun();
        string output = dir.Combine("render_out");
        AssertUserError(["render", "--run", run, "--path", "circle", "--out", output], "circle", run, output);
    }

    [Fact]
    public void OutOfRangeNumbersAreRejectedBeforeAnythingIsWritten()
    {
        string run = TrainedRun();
        string output = dir.Combine("render_range");
        AssertUserError(["render", "--run", run, "--frames", "0", "--out", output], "--frames", run, output);
        AssertUserError(["render", "--run", run, "--frames", "2", "--fps", "0", "--video", "--out", output], "--fps", run, output);
        AssertUserError(["eval", "--run", run, "--max-images", "-1"], "--max-images", run);
        AssertUserError(["bench", "--data", scene.SceneDir, "--iters", "0"], "--iters");
        string big = dir.Combine("bigbatch");
        AssertUserError(TrainArgs(scene.SceneDir, big, 1, "--N_rand", "100000000"), "N_rand", big);
        AssertUserError(TrainArgs(scene.SceneDir, big, 1, "--no_batching", "--N_rand", "2000"), "one training image", big);
        AssertUserError(TrainArgs(scene.SceneDir, big, 1, "--no_batching", "--precrop_iters", "5", "--precrop_frac", "0.25", "--N_rand", "100"), "centre crop", big);
    }

    [Fact]
    public void AnUnexpectedExceptionIsExitTwoAndSaysItIsABug()
    {
        // A console that fails in a way no command expects stands in for a bug.
        string run = CopyOfRun("internal");
        var error = new StringWriter();
        int code = NerfSharp.Cli.Program.Run(["eval", "--run", run, "--split", "val", "--json"], new NerfSharp.Cli.CliContext(new ThrowingWriter(), error, CancellationToken.None, Interactive: false));
        Assert.Equal(2, code);
        Assert.Contains("internal error (a NerfSharp bug", error.ToString());
        Assert.Contains("NotImplementedException", error.ToString());
    }

    [Fact]
    public void UnknownCommandIsExitOne()
    {
        var r = CliRunner.Run("trian", "--data", scene.SceneDir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("trian", r.Error);
    }

    private sealed class ThrowingWriter : StringWriter
    {
        public override void WriteLine(string? value) => throw new NotImplementedException("console broke");
    }
}
