using NerfSharp.Cli;
using NerfSharp.Models;
using NerfSharp.Training;

namespace NerfSharp.Tests.Cli;

/// <summary>The progress display: plain, stable lines when standard error is not a terminal; a live Spectre.Console bar when it is.</summary>
public sealed class ConsoleProgressTests
{
    private static CliContext Context(TextWriter error, bool interactive) => new(TextWriter.Null, error, CancellationToken.None, interactive);

    [Fact]
    public void PlainLinesSkipEarlyUpdatesAndAlwaysShowTheLast()
    {
        var error = new StringWriter();
        using (var progress = new ConsoleProgress(Context(error, interactive: false), "render spiral"))
        {
            progress.Report(1, 4, 0.5, 1); // within the first seconds: no line
            progress.Report(4, 4, 2.0, 4);
        }

        Assert.Equal("render spiral 4/4 (100%) | 2.00/s | elapsed 2.0s | ETA 0.0s" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public void TrainingLinesShowStepLossPsnrRaysPerSecondAndEta()
    {
        var error = new StringWriter();
        using (var progress = new ConsoleProgress(Context(error, interactive: false), "train"))
        {
            var p = new TrainingProgress(10, 10, new TrainLoss(0.0125, 0.0125), 1e-3, 4.0, 4.0, 10);
            progress.ReportTraining(p, sessionRays: 20480, timeBudgetSeconds: 0, DateTime.UtcNow);
        }

        Assert.Equal(
            "train step 10/10 (100%) | loss 0.01250 psnr 19.03 lr 1.00E-003 | 2.50 steps/s 5.1k rays/s | elapsed 4.0s | ETA 0.0s" + Environment.NewLine,
            error.ToString());
    }

    [Fact]
    public void ATimeBudgetedRunCountsTheBudgetDown()
    {
        var error = new StringWriter();
        var progress = new ConsoleProgress(Context(error, interactive: false), "train");
        Thread.Sleep(TimeSpan.FromSeconds(ConsoleProgress.PlainLineSeconds + 0.1));
        var p = new TrainingProgress(7, int.MaxValue, new TrainLoss(0.5, 0.5), 1e-2, 30, 30, 7);
        progress.ReportTraining(p, 700, timeBudgetSeconds: 120, DateTime.UtcNow.AddSeconds(-50.5));
        progress.Finish();
        string line = error.ToString();
        Assert.StartsWith("train step 7 | ", line);
        Assert.Contains("| ETA 1m09s", line);
        Assert.Contains("| 0.23 steps/s 23 rays/s |", line);
    }

    [Fact]
    public void StatusLinesAreTimestamped()
    {
        var error = new StringWriter();
        using (var progress = new ConsoleProgress(Context(error, interactive: false), "process images"))
        {
            progress.Status("COLMAP: mapping");
        }

        Assert.Matches(@"^\[ +\d+\.\d s\] COLMAP: mapping\r?\n$", error.ToString());
    }

    [Fact]
    public void OnATerminalALiveBarDrawsAndStops()
    {
        var error = new StringWriter();
        using (var progress = new ConsoleProgress(Context(error, interactive: true), "eval"))
        {
            progress.Status("loading [the] views"); // markup characters are text, not styles
            for (int i = 1; i <= 3; i++)
            {
                Thread.Sleep(120);
                progress.Report(i, 3, 0.1 * i, i);
            }
        }

        string screen = error.ToString();
        Assert.Contains("loading [the] views", screen);
        Assert.Contains("eval 3/3", screen);
        Assert.Contains("(100%)", screen);
        if (Environment.GetEnvironmentVariable("TERM") != "dumb")
        {
            Assert.Contains("\u001b[", screen); // drawn live, with cursor movements
        }
    }
}
