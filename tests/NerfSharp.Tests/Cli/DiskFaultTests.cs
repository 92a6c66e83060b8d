using System.Diagnostics;
using NerfSharp.IO;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;
using Xunit.Abstractions;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// A disk that fills up during training (a small tmpfs) and a read-only run folder (a read-only bind mount):
/// the CLI exits 1 with one sentence naming the path and the problem, and the last good checkpoint is intact.
/// The mounts are made in a private user + mount namespace (<c>unshare -rm</c>), which needs no root where
/// unprivileged user namespaces are allowed; where they are not, the tests say so and do nothing.
/// </summary>
public sealed class DiskFaultTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;
    private readonly ITestOutputHelper output;

    public DiskFaultTests(DemoSceneFixture scene, ITestOutputHelper output)
    {
        this.scene = scene;
        this.output = output;
    }

    private string[] TrainArgs(string run, int steps) =>
        ["train", "--data", scene.SceneDir, "--model", "vanilla", "--out", run, "--steps", steps.ToString(), "--white_bkgd", "--testskip", "1",
         "--log-every", "1", "--checkpoint-every", "2", .. CliRunner.TinyModelFlags];

    [Fact]
    public void DiskFullDuringTrainingIsOneSentenceAndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDirectory("nerf-diskfull");
        if (!Sandbox.Available(dir.Path, out string why))
        {
            // In CI these must run, not skip: a missing permission there is a failure.
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"disk-fault test cannot run in CI: {why}");
            output.WriteLine($"skipped: {why}");
            return;
        }

        // Size the disk from one checkpoint of this model: room for config, metrics and about two checkpoints.
        string probe = dir.Combine("probe");
        Assert.Equal(0, CliRunner.Run(TrainArgs(probe, 2)).ExitCode);
        long checkpointBytes = new FileInfo(Path.Combine(probe, "checkpoints", "step_000002.safetensors")).Length;
        long diskBytes = (checkpointBytes * 5 / 2) + 16384;

        string mount = dir.Combine("mnt");
        string after = dir.Combine("after");
        Directory.CreateDirectory(mount);
        string run = Path.Combine(mount, "run");
        var r = Sandbox.Run(
            $"mount -t tmpfs -o size={diskBytes} tmpfs '{mount}'",
            $"cp -a '{run}' '{after}'", // the tmpfs vanishes with the namespace: keep what the run left
            TrainArgs(run, 200));
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.Error}\n{r.Out}");
        string message = r.Error.Trim();
        output.WriteLine(message);
        Assert.DoesNotContain('\n', message);
        Assert.StartsWith("error: ", message);
        Assert.Contains("No space left on device", message);
        Assert.Contains(mount, message);

        var left = new CheckpointDirectory(Path.Combine(after, "checkpoints")).List();
        Assert.NotEmpty(left);
        Assert.Empty(Directory.GetFiles(Path.Combine(after, "checkpoints"), "*.tmp"));
        long lastStep = left[^1].Step;
        Assert.True(lastStep < 200);

        // The last good checkpoint equals the uninterrupted run's at that step, and the run resumes from it once there is room.
        string straight = dir.Combine("straight");
        Assert.Equal(0, CliRunner.Run(TrainArgs(straight, (int)lastStep)).ExitCode);
        AssertSameTensors(Path.Combine(straight, "checkpoints", $"step_{lastStep:D6}.safetensors"), left[^1].Path);

        var resume = CliRunner.Run("train", "--resume", after, "--steps", (lastStep + 4).ToString());
        Assert.True(resume.ExitCode == 0, resume.Error);
        Assert.Contains($"resumed from step {lastStep} ", resume.Out);
        Assert.Equal(Enumerable.Range(1, (int)lastStep + 4), File.ReadAllLines(Path.Combine(after, "metrics.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32()));
    }

    [Fact]
    public void ReadOnlyRunFolderIsOneSentenceAndChangesNothing()
    {
        using var dir = new TempDirectory("nerf-readonly");
        if (!Sandbox.Available(dir.Path, out string why))
        {
            // In CI these must run, not skip: a missing permission there is a failure.
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"disk-fault test cannot run in CI: {why}");
            output.WriteLine($"skipped: {why}");
            return;
        }

        string run = dir.Combine("run");
        Assert.Equal(0, CliRunner.Run(TrainArgs(run, 4)).ExitCode);
        var before = DirectorySnapshot.Take(run);
        string readOnly = $"mount --bind '{run}' '{run}' && mount -o remount,bind,ro '{run}'";

        foreach (string[] args in new[] { new[] { "train", "--resume", run, "--steps", "8" }, ["eval", "--run", run, "--split", "val"] })
        {
            var r = Sandbox.Run(readOnly, null, args);
            Assert.True(r.ExitCode == 1, $"{args[0]}: exit {r.ExitCode}: {r.Error}\n{r.Out}");
            string message = r.Error.Trim();
            output.WriteLine(message);
            Assert.DoesNotContain('\n', message);
            Assert.StartsWith("error: ", message);
            Assert.Contains("Read-only file system", message);
            Assert.Contains(run, message);
            DirectorySnapshot.AssertUnchanged(before, $"{args[0]} on a read-only run folder");
        }

        SafetensorsFile.Read(Path.Combine(run, "checkpoints", "step_000004.safetensors"));
    }

    private static void AssertSameTensors(string expectedPath, string actualPath)
    {
        var a = SafetensorsFile.Read(expectedPath);
        var b = SafetensorsFile.Read(actualPath);
        foreach (string name in a.Names)
        {
            Assert.True(a[name].Data.AsSpan().SequenceEqual(b[name].Data), $"{name} differs between {expectedPath} and {actualPath}");
        }
    }

    /// <summary>Runs <c>nerf</c> after shell <c>setup</c> inside a private user + mount namespace (mounts vanish with it).</summary>
    private static class Sandbox
    {
        public static bool Available(string scratch, out string why)
        {
            string probe = Path.Combine(scratch, "probe-mount");
            Directory.CreateDirectory(probe);
            try
            {
                var r = Shell($"mount -t tmpfs -o size=65536 tmpfs '{probe}'", null, null);
                why = r.ExitCode == 0 ? "" : $"cannot mount a tmpfs in a user namespace (unshare -rm: needs unprivileged user namespaces or CAP_SYS_ADMIN): {r.Error.Trim()}";
                return r.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                why = $"unshare is not installed: {e.Message}";
                return false;
            }
        }

        public static CliRunner.Result Run(string setup, string? teardown, string[] nerfArgs) =>
            Shell(setup, teardown, nerfArgs);

        private static CliRunner.Result Shell(string setup, string? teardown, string[]? nerfArgs)
        {
            string script = nerfArgs == null
                ? setup
                : $"{setup} || exit 99; dotnet \"$0\" \"$@\"; code=$?; {teardown ?? "true"}; exit $code";
            var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { "-rm", "sh", "-c", script })
            {
                psi.ArgumentList.Add(a);
            }

            if (nerfArgs != null)
            {
                psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nerf.dll"));
                foreach (string a in nerfArgs)
                {
                    psi.ArgumentList.Add(a);
                }
            }

            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"timed out: {script}");
            }

            process.WaitForExit();
            return new CliRunner.Result(process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
