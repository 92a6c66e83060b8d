using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NerfSharp.IO;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// SIGKILLs a real <c>nerf train</c> process at seeded random moments (some while a checkpoint is being written),
/// resumes it each time, and requires: every checkpoint left on disk readable, each resume reporting the step of
/// the last checkpoint, final weights and Adam state bit-identical to an uninterrupted run, and metrics.jsonl with
/// exactly one line per logged step holding the uninterrupted run's values.
/// CI runs <see cref="CiPoints"/> kill points; NERFSHARP_KILL_POINTS=20 (scripts/kill_test.sh) runs more and
/// writes the count that survived to NERFSHARP_KILL_REPORT.
/// </summary>
public sealed class KillAtRandomMomentsTests : IClassFixture<DemoSceneFixture>
{
    private const int CiPoints = 3;
    private const int CheckpointEvery = 3;
    private readonly DemoSceneFixture scene;

    public KillAtRandomMomentsTests(DemoSceneFixture scene) => this.scene = scene;

    private string[] TrainArgs(string output, int steps, string model) => model switch
    {
        "nerfacto" => ["train", "--data", scene.SceneDir, "--model", "nerfacto", "--out", output, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--testskip", "1",
           "--log-every", "1", "--checkpoint-every", CheckpointEvery.ToString(CultureInfo.InvariantCulture), .. CliRunner.TinyNerfactoFlags],
        "ngp" => ["train", "--data", scene.SceneDir, "--model", "ngp", "--out", output, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--white_bkgd", "--testskip", "1",
           "--log-every", "1", "--checkpoint-every", CheckpointEvery.ToString(CultureInfo.InvariantCulture), .. CliRunner.TinyNgpFlags],
        _ => ["train", "--data", scene.SceneDir, "--model", "vanilla", "--out", output, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--white_bkgd", "--testskip", "1",
           "--log-every", "1", "--checkpoint-every", CheckpointEvery.ToString(CultureInfo.InvariantCulture), "--i_testset", "0", "--i_video", "0", .. CliRunner.TinyModelFlags,
           "--netwidth", "64", "--netwidth_fine", "64"], // checkpoints of ~0.3 MB take long enough to be killed mid-write
    };

    /// <summary>Vanilla NeRF, the ngp model (whose occupancy grid is checkpointed state) and nerfacto (annealing, camera centres).</summary>
    [Theory]
    [InlineData("vanilla")]
    [InlineData("ngp")]
    [InlineData("nerfacto")]
    public void KilledAtRandomMomentsAndResumedEndsBitIdentical(string model)
    {
        int points = int.TryParse(Environment.GetEnvironmentVariable("NERFSHARP_KILL_POINTS"), out int p) && p > 0 ? p : CiPoints;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NERFSHARP_KILL_SEED"), out int s) ? s : 2024;
        int steps = (points * 10) + 20;
        using var dir = new TempDirectory("nerf-kill");
        string straight = dir.Combine("straight");
        var reference = CliRunner.Run(TrainArgs(straight, steps, model));
        Assert.True(reference.ExitCode == 0, reference.Error);

        string killed = dir.Combine("killed");
        string checkpointsDir = Path.Combine(killed, "checkpoints");
        var rng = new Random(seed);

        var failures = new List<string>();
        int survived = 0, duringCheckpointWrite = 0, killedAtAll = 0, finishedBeforeKill = 0;
        for (int k = 0; k < points; k++)
        {
            long lastBefore = LatestStep(checkpointsDir);
            bool resume = lastBefore >= 0;
            string[] args = resume ? ["train", "--resume", killed] : TrainArgs(killed, steps, model);
            bool inWrite = rng.Next(3) == 0;
            int delayMs = rng.Next(0, 25);
            string problem = "";
            string[] tempsBefore = TemporaryFiles(checkpointsDir);
            using (var child = ChildProcess.Start(args))
            {
                // Wait until this process has written 1 to 3 checkpoints of its own, then either kill after a random
                // delay or the moment the next checkpoint's temporary file is created (inotify).
                long trigger = Math.Max(lastBefore, 0) + (CheckpointEvery * rng.Next(1, 4));
                var watch = Stopwatch.StartNew();
                while (LatestStep(checkpointsDir) < trigger && !child.Process.HasExited)
                {
                    if (watch.Elapsed > TimeSpan.FromSeconds(90))
                    {
                        child.Process.Kill(entireProcessTree: true);
                        Assert.Fail($"kill point {k}: timed out waiting for step {trigger}; output: {child.Output}");
                    }

                    Thread.Sleep(1);
                }

                if (inWrite)
                {
                    KillWhenATemporaryFileAppears(child, checkpointsDir, tempsBefore.Length);
                }
                else
                {
                    Thread.Sleep(delayMs);
                }

                bool exitedBefore = child.Process.HasExited && !inWrite;
                if (!child.Process.HasExited)
                {
                    child.Process.Kill(entireProcessTree: true);
                }

                if (!exitedBefore)
                {
                    killedAtAll++;
                }

                Assert.True(child.Process.WaitForExit(30_000), $"kill point {k}: the process did not die");
                child.Process.WaitForExit(); // and its output has all been read
                if (exitedBefore && child.Process.ExitCode != 0)
                {
                    problem += $" exited by itself with code {child.Process.ExitCode} (output: {child.Output.Trim()});";
                }
                else if (exitedBefore)
                {
                    finishedBeforeKill++;
                }
                if (TemporaryFiles(checkpointsDir).Except(tempsBefore).Any())
                {
                    duringCheckpointWrite++;
                }

                if (resume)
                {
                    string expected = $"resumed from step {lastBefore} (checkpoint {Path.Combine(checkpointsDir, $"step_{lastBefore:D6}.safetensors")})";
                    if (!child.Output.Contains(expected, StringComparison.Ordinal))
                    {
                        problem += $" did not report '{expected}' (output: {child.Output.Trim()});";
                    }
                }
            }

            foreach (var (step, path) in new CheckpointDirectory(checkpointsDir).List())
            {
                try
                {
                    var file = SafetensorsFile.Read(path);
                    Assert.Equal(step.ToString(CultureInfo.InvariantCulture), StepOf(file));
                }
                catch (Exception e)
                {
                    problem += $" {Path.GetFileName(path)} unreadable: {e.Message};";
                }
            }

            if (LatestStep(checkpointsDir) < lastBefore)
            {
                problem += $" the newest checkpoint went back from step {lastBefore} to {LatestStep(checkpointsDir)};";
            }

            if (problem.Length == 0)
            {
                survived++;
            }
            else
            {
                failures.Add($"kill point {k} (after step {lastBefore}):{problem}");
            }
        }

        // Finish the run and compare with the uninterrupted one.
        var last = LatestStep(checkpointsDir) >= 0 ? CliRunner.Run("train", "--resume", killed) : CliRunner.Run(TrainArgs(killed, steps, model));
        Assert.True(last.ExitCode == 0, last.Error);
        string finalName = $"step_{steps:D6}.safetensors";
        var a = SafetensorsFile.Read(Path.Combine(straight, "checkpoints", finalName));
        var b = SafetensorsFile.Read(Path.Combine(checkpointsDir, finalName));
        Assert.Equal(a.Names.Order(StringComparer.Ordinal), b.Names.Order(StringComparer.Ordinal));
        bool identical = true;
        foreach (string name in a.Names)
        {
            if (!a[name].Data.AsSpan().SequenceEqual(b[name].Data))
            {
                identical = false;
                failures.Add($"tensor {name} differs from the uninterrupted run");
            }
        }

        Assert.Empty(TemporaryFiles(checkpointsDir)); // what killed writes left behind is cleaned up
        var straightLog = MetricsByStep(Path.Combine(straight, "metrics.jsonl"));
        var killedLog = MetricsByStep(Path.Combine(killed, "metrics.jsonl"));
        Assert.Equal(Enumerable.Range(1, steps).Select(i => (long)i), killedLog.Select(m => m.Step));
        Assert.Equal(straightLog, killedLog);

        string report = $"kill points survived: {survived}/{points} (killed {killedAtAll}, {duringCheckpointWrite} of them during a checkpoint write, {finishedBeforeKill} finished first; seed {seed}); final weights {(identical ? "bit-identical" : "DIFFERENT")}";
        string? reportPath = Environment.GetEnvironmentVariable("NERFSHARP_KILL_REPORT");
        if (!string.IsNullOrEmpty(reportPath))
        {
            File.WriteAllText(reportPath, report + "\n" + string.Join("\n", failures) + "\n");
        }

        Assert.True(failures.Count == 0, report + "\n" + string.Join("\n", failures));
        Assert.True(killedAtAll > 0, "no process was killed: " + report);
    }

    private static string StepOf(SafetensorsFile file) =>
        file.Metadata.TryGetValue(Checkpoint.StepKey, out string? s) ? s : "(no step)";

    private static long LatestStep(string checkpointsDir)
    {
        var all = new CheckpointDirectory(checkpointsDir).List();
        return all.Count == 0 ? -1 : all[^1].Step;
    }

    /// <summary>Kills the child the moment a checkpoint write starts (inotify; polling where no inotify instance is left).</summary>
    private static void KillWhenATemporaryFileAppears(ChildProcess child, string checkpointsDir, int tempsBefore)
    {
        void Kill()
        {
            try
            {
                child.Process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        try
        {
            using var created = new ManualResetEventSlim();
            using var watcher = new FileSystemWatcher(checkpointsDir, "*.tmp");
            watcher.Created += (_, _) =>
            {
                Kill();
                created.Set();
            };
            watcher.EnableRaisingEvents = true;
            created.Wait(TimeSpan.FromSeconds(5));
        }
        catch (IOException)
        {
            var spin = Stopwatch.StartNew();
            while (!child.Process.HasExited && spin.ElapsedMilliseconds < 5000 && TemporaryFiles(checkpointsDir).Length == tempsBefore)
            {
            }

            Kill();
        }
    }

    /// <summary>Temporary files of checkpoint writes (a kill during a write leaves one behind).</summary>
    private static string[] TemporaryFiles(string checkpointsDir) =>
        Directory.Exists(checkpointsDir) ? Directory.GetFiles(checkpointsDir, "*.tmp") : [];

    /// <summary>Each logged step with its loss and PSNR (elapsed time differs between runs and is left out).</summary>
    private static List<(long Step, string Loss, string Psnr)> MetricsByStep(string path)
    {
        var list = new List<(long, string, string)>();
        foreach (string line in File.ReadAllLines(path))
        {
            var e = JsonDocument.Parse(line).RootElement;
            list.Add((e.GetProperty("step").GetInt64(), e.GetProperty("loss").GetRawText(), e.GetProperty("psnr").GetRawText()));
        }

        return list;
    }
}

/// <summary>A <c>nerf</c> process (the CLI built next to the tests), its stdout and stderr collected.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly StringBuilder output = new();

    private ChildProcess(Process process) => Process = process;

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static ChildProcess Start(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nerf.dll"));
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var child = new ChildProcess(Process.Start(psi)!);
        child.Process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child.Process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the exit (failing the test on a timeout) and returns the exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout))
        {
            Process.Kill(entireProcessTree: true);
            Assert.Fail($"the process did not finish within {timeout.TotalSeconds} s; output: {Output}");
        }

        Process.WaitForExit();
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line != null)
        {
            lock (output)
            {
                output.Append(line).Append('\n');
            }
        }
    }
}
