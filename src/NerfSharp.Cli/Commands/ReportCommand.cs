using System.CommandLine;
using NerfSharp.Configuration;
using NerfSharp.Models;
using NerfSharp.Reports;
using NerfSharp.Runs;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf report --run RUN [--views N] [--out FILE]</c>: writes RUN/report.html, one self-contained page with the
/// loss and PSNR curves, validation renders beside ground truth with error and depth maps, timings, throughput, peak
/// memory, the machine and the resolved config. <c>nerf train</c> writes the same report when it finishes.
/// </summary>
public static class ReportCommand
{
    public static Command Create(CliContext ctx)
    {
        var run = CliOptions.RequiredText("--run", "the run folder (holds config.json and checkpoints/)", "RUN");
        var views = CliOptions.Int("--views", "validation views to render, evenly spread over the split", new ReportOptions().Views);
        var output = CliOptions.Text("--out", "the report file (default: RUN/report.html)", "FILE");
        var command = new Command("report", CommandHelp.Describe(
            "Write RUN/report.html: curves, validation renders with error and depth maps, timings, throughput, config.",
            ["nerf report --run runs/lego", "nerf report --run runs/statue --views 8 --out statue.html"]))
        {
            run,
            views,
            output,
        };
        command.SetAction(parse => Run(parse.GetValue(run)!, parse.GetValue(views), parse.GetValue(output), ctx));
        return command;
    }

    /// <summary>Writes the report of a run folder's latest checkpoint; returns the exit code.</summary>
    public static int Run(string runDir, int views, string? output, CliContext ctx)
    {
        if (views < 0)
        {
            throw new ArgumentException($"--views expects 0 or more, got {views}");
        }

        TrainedRun run = TrainedRun.Open(runDir);
        string path = Path.GetFullPath(output ?? Path.Combine(run.Folder.Path, ReportOptions.FileName));
        RunReport report = RunReportBuilder.Build(run, new ReportOptions(Views: views), line => ctx.Error.WriteLine(line), ctx.Cancel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ReportHtmlWriter.Write(path, report);
        ctx.Out.WriteLine($"report: {path} ({new FileInfo(path).Length / 1024.0:F0} KiB, step {run.Step}, {report.Validation.Split} PSNR {report.Validation.MeanPsnr:F2} dB over {report.Validation.Views.Count} views)");
        return 0;
    }

    /// <summary>
    /// Writes RUN/report.html for the model training just left; a failure only warns (the run and its checkpoints are
    /// already saved, so the training command still succeeds). Ctrl+C while it renders leaves the remaining views out.
    /// </summary>
    public static void WriteAfterTraining(RunFolder folder, RunConfig config, IRadianceModel model, long step, string? checkpoint, CliContext ctx)
    {
        try
        {
            string path = Path.Combine(folder.Path, ReportOptions.FileName);
            RunReport report = RunReportBuilder.Build(folder, config, model, step, checkpoint ?? string.Empty, new ReportOptions(), line => ctx.Error.WriteLine(line), ctx.Cancel);
            ReportHtmlWriter.Write(path, report);
            ctx.Out.WriteLine($"report:     {path}");
        }
        catch (Exception e)
        {
            ctx.Error.WriteLine($"warning: the run report was not written ({e.GetType().Name}: {e.Message}); the run is complete, write it later with: nerf report --run {folder.Path}");
        }
    }
}
