using System.Diagnostics;
using System.Text.Json;
using NerfSharp.IO;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary>Every user-facing command, end to end, on a generated scene.</summary>
public sealed class CliEndToEndTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public CliEndToEndTests(DemoSceneFixture scene) => this.scene = scene;

    private string[] TrainArgs(string output, int steps, params string[] extra) =>
        ["train", "--data", scene.SceneDir, "--model", "vanilla", "--out", output, "--steps", steps.ToString(), "--white_bkgd", "--testskip", "1", "--log-every", "5", .. CliRunner.TinyModelFlags, .. extra];

    [Fact]
    public void TrainEvalRenderAndResume()
    {
        using var dir = new TempDirectory();
        string run = dir.Combine("run");
        var train = CliRunner.Run(TrainArgs(run, 10, "--checkpoint-every", "5"));
        Assert.True(train.ExitCode == 0, train.Error + train.Out);
        Assert.True(File.Exists(Path.Combine(run, "config.json")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "step_000010.safetensors")));
        var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal([1, 5, 10], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32()));
        foreach (string key in new[] { "step", "elapsed_s", "loss", "psnr", "lr" })
        {
            Assert.True(JsonDocument.Parse(lines[^1]).RootElement.TryGetProperty(key, out _), key);
        }

        var eval = CliRunner.Run("eval", "--run", run, "--split", "val", "--json");
        Assert.True(eval.ExitCode == 0, eval.Error);
        var json = JsonDocument.Parse(eval.Out.Trim()).RootElement;
        Assert.InRange(json.GetProperty("psnr").GetDouble(), 5, 60);
        Assert.Equal(2, json.GetProperty("images").GetInt32());
        EvalScores.AssertMatchSavedRenders(Path.Combine(run, "eval_val"), json.GetProperty("psnr").GetDouble(), json.GetProperty("ssim").GetDouble());
        Assert.True(json.GetProperty("seconds_per_image").GetDouble() > 0);

        string spiral = dir.Combine("spiral");
        var render = CliRunner.Run("render", "--run", run, "--path", "spiral", "--out", spiral, "--video", "--frames", "6");
        Assert.True(render.ExitCode == 0, render.Error);
        Assert.True(File.Exists(Path.Combine(spiral, "005_rgb.png")));
        Assert.True(File.Exists(Path.Combine(spiral, "005_disp.png")));
        Assert.True(File.Exists(Path.Combine(spiral, "005_acc.png")));
        Assert.Equal(new VideoProbe.Info(6, 32, 32), VideoProbe.Read(Path.Combine(spiral, "video.mp4")));

        var resume = CliRunner.Run("train", "--resume", run, "--steps", "15");
        Assert.True(resume.ExitCode == 0, resume.Error);
        Assert.Contains($"resumed from step 10 (checkpoint {Path.Combine(run, "checkpoints", "step_000010.safetensors")})", resume.Out);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "step_000015.safetensors")));

        var renderOnly = CliRunner.Run("train", "--resume", run, "--render_only", "--render_factor", "2");
        Assert.True(renderOnly.ExitCode == 0, renderOnly.Error);
        Assert.True(File.Exists(Path.Combine(run, "renderonly_path_000015", "039_rgb.png")));
        Assert.Equal(new VideoProbe.Info(40, 16, 16), VideoProbe.Read(Path.Combine(run, "renderonly_path_000015", "video.mp4")));
    }

    [Fact]
    public void NerfPytorchConfigFileWorksAndFlagsOverrideIt()
    {
        using var dir = new TempDirectory();
        string cfg = dir.Combine("lego.txt");
        File.WriteAllText(cfg, $"""
            expname = blender_paper_lego
            basedir = {dir.Path}/logs
            datadir = {scene.SceneDir}
            dataset_type = blender

            no_batching = True

            use_viewdirs = True
            white_bkgd = True
            lrate_decay = 500

            N_samples = 64
            N_importance = 128
            N_rand = 1024

            precrop_iters = 500
            precrop_frac = 0.5

            half_res = True
            """);
        string[] overrides = ["train", "--config", cfg, "--steps", "3", "--half_res", "False", .. CliRunner.TinyModelFlags];
        var r = CliRunner.Run(overrides);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        string runDir = Path.Combine(dir.Path, "logs", "blender_paper_lego");
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "config.json"))).RootElement;
        Assert.False(config.GetProperty("data").GetProperty("halfRes").GetBoolean()); // the --half_res False flag beat the file's True
        Assert.Equal(500, config.GetProperty("trainer").GetProperty("learningRateDecay").GetDouble()); // from the file (default 250)
        Assert.Equal(500, config.GetProperty("trainer").GetProperty("precropIters").GetInt32()); // from the file (default 0)
        Assert.Equal(3, config.GetProperty("trainer").GetProperty("steps").GetInt32()); // --steps over the default
        Assert.Equal(16, config.GetProperty("vanilla").GetProperty("netWidth").GetInt32()); // a nerf-pytorch key as a flag
        Assert.Equal(128, config.GetProperty("trainer").GetProperty("batchRays").GetInt32()); // flag N_rand 128 beat the file's 1024
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "step_000003.safetensors")));
    }

    [Fact]
    public void UnknownConfigKeyIsAnErrorNamingIt()
    {
        using var dir = new TempDirectory();
        string cfg = dir.Combine("bad.txt");
        File.WriteAllText(cfg, $"expname = x\nbasedir = {dir.Combine("logs")}\nN_sampels = 64\n");
        var before = DirectorySnapshot.Take(dir.Path);
        var r = CliRunner.Run("train", "--config", cfg);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("N_sampels", r.Error);
        Assert.Contains("bad.txt", r.Error);

        var flag = CliRunner.Run(TrainArgs(dir.Combine("run"), 1, "--N_sampels", "3"));
        Assert.Equal(1, flag.ExitCode);
        Assert.Contains("N_sampels", flag.Error);
        DirectorySnapshot.AssertUnchanged(before, "a rejected config or flag wrote something");
    }

    [Fact]
    public void CorruptCheckpointIsReportedWithItsFileName()
    {
        using var dir = new TempDirectory();
        string run = dir.Combine("run");
        Assert.Equal(0, CliRunner.Run(TrainArgs(run, 2)).ExitCode);
        string ckpt = Path.Combine(run, "checkpoints", "step_000002.safetensors");
        byte[] bytes = File.ReadAllBytes(ckpt);
        File.WriteAllBytes(ckpt, bytes[..(bytes.Length / 2)]);
        var before = DirectorySnapshot.Take(run);
        var r = CliRunner.Run("eval", "--run", run, "--split", "val");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("step_000002.safetensors", r.Error);
        DirectorySnapshot.AssertUnchanged(before, "eval of a corrupt checkpoint wrote into the run");
    }

    [Fact]
    public void MissingDatasetAndMissingSplitAreClearErrors()
    {
        using var dir = new TempDirectory();
        var r = CliRunner.Run("train", "--data", dir.Combine("nope"), "--out", dir.Combine("run"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nope", r.Error);
        Assert.False(Directory.Exists(dir.Combine("run")), "a run folder was created for a missing dataset");
        string run = dir.Combine("run2");
        Assert.Equal(0, CliRunner.Run(TrainArgs(run, 1)).ExitCode);
        var before = DirectorySnapshot.Take(run);
        var e = CliRunner.Run("eval", "--run", run, "--split", "nosuchsplit");
        Assert.Equal(1, e.ExitCode);
        Assert.Contains("transforms_nosuchsplit.json", e.Error);
        DirectorySnapshot.AssertUnchanged(before, "eval of a missing split wrote into the run");
    }

    [Fact]
    public void KilledRunResumesToTheWeightsOfAnUninterruptedRun()
    {
        using var dir = new TempDirectory();
        const int steps = 400;
        string straight = dir.Combine("straight");
        Assert.Equal(0, CliRunner.Run(TrainArgs(straight, steps, "--checkpoint-every", "20")).ExitCode);

        string killed = dir.Combine("killed");
        string dll = Path.Combine(AppContext.BaseDirectory, "nerf.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (string arg in TrainArgs(killed, steps, "--checkpoint-every", "20"))
        {
            psi.ArgumentList.Add(arg);
        }

        using (var process = Process.Start(psi)!)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            string first = Path.Combine(killed, "checkpoints", "step_000040.safetensors");
            var watch = Stopwatch.StartNew();
            while (!File.Exists(first) && !process.HasExited)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(120))
                {
                    process.Kill(entireProcessTree: true);
                    Assert.Fail($"timed out after 120 s waiting for {first}");
                }

                Thread.Sleep(5);
            }

            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        Assert.False(File.Exists(Path.Combine(killed, "checkpoints", $"step_{steps:D6}.safetensors")), "the run was not killed mid-training");
        var last = new NerfSharp.Training.CheckpointDirectory(Path.Combine(killed, "checkpoints")).List()[^1];
        Assert.True(last.Step >= 40, $"last checkpoint before the kill is step {last.Step}");
        var resume = CliRunner.Run("train", "--resume", killed);
        Assert.True(resume.ExitCode == 0, resume.Error);
        Assert.Contains($"resumed from step {last.Step} (checkpoint {last.Path})", resume.Out);
        var a = SafetensorsFile.Read(Path.Combine(straight, "checkpoints", $"step_{steps:D6}.safetensors"));
        var b = SafetensorsFile.Read(Path.Combine(killed, "checkpoints", $"step_{steps:D6}.safetensors"));
        foreach (string name in a.Names)
        {
            Assert.True(a[name].Data.AsSpan().SequenceEqual(b[name].Data), $"tensor {name} differs after kill + resume");
        }
    }

    [Fact]
    public void BenchReportsSecondsPerIterationAndPeakShare()
    {
        var r = CliRunner.Run(["bench", "--data", scene.SceneDir, "--iters", "2", "--warmup", "1", .. CliRunner.TinyModelFlags]);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Matches(@"seconds per iteration: mean [0-9.]+, best [0-9.]+ over 2 iterations", r.Out);
        var peak = System.Text.RegularExpressions.Regex.Match(r.Out, @"FP32 measured peak \((Vector512|Vector256|scalar) FMA loop on \d+ threads, no memory traffic\): [0-9.]+ GFLOP/s .* -> (?<pct>[0-9.]+)% of measured peak");
        Assert.True(peak.Success, r.Out);
        Assert.InRange(double.Parse(peak.Groups["pct"].Value, System.Globalization.CultureInfo.InvariantCulture), 0, 100);
        Assert.Contains("peak RSS", r.Out);
    }

    [Fact]
    public void DemoRunsEndToEndAndSaysWhereItsOutputsAre()
    {
        using var dir = new TempDirectory();
        string output = dir.Combine("demo");
        var r = CliRunner.Run("demo", "--out", output, "--size", "24", "--steps", "20", "--frames", "4");
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Contains("video.mp4", r.Out);
        Assert.True(new FileInfo(Path.Combine(output, "spiral", "video.mp4")).Length > 0);
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "eval_test", "results.json"))).RootElement;
        Assert.True(results.GetProperty("images").GetInt32() > 0);
    }
}
