using System.CommandLine;
using NerfSharp.Data;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Training;
using NerfSharp.Viewer;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf view --run RUN [--port 7007] [--host 127.0.0.1]</c>: serves the live web viewer on a trained run until
/// Ctrl+C; and the viewer of <c>nerf train --viewer</c>, live while the model trains.
/// </summary>
public static class ViewCommand
{
    /// <summary>The <c>view</c> command.</summary>
    public static Command Create(CliContext ctx)
    {
        var run = CliOptions.RequiredText("--run", "the run folder (its latest checkpoint is shown)", "RUN");
        var port = CliOptions.Int("--port", "TCP port to listen on", ViewerOptions.DefaultPort);
        var host = CliOptions.TextWithDefault("--host", "address to bind (anything but loopback exposes the viewer to the network)", ViewerOptions.DefaultHost, "ADDRESS");
        var command = new Command("view", CommandHelp.Describe(
            "Serve the web viewer of a trained run on localhost until Ctrl+C.",
            ["nerf view --run runs/statue", "nerf view --run runs/statue --port 7008"]))
        {
            run, port, host,
        };
        command.SetAction(parse => Serve(parse.GetValue(run)!, new ViewerOptions { Port = parse.GetValue(port), Host = parse.GetValue(host)! }, ctx));
        return command;
    }

    /// <summary>Serves the viewer on a trained run until <see cref="CliContext.Cancel"/> fires.</summary>
    public static int Serve(string runDir, ViewerOptions options, CliContext ctx)
    {
        TrainedRun run = TrainedRun.Open(runDir);
        DataParserOutput train = DatasetLoader.Load(run.Config.Data, "train");
        var scene = ViewerScene.FromData($"{Path.GetFileName(run.Folder.Path.TrimEnd('/', '\\'))} (step {run.Step})", run.Model, train, run.Config.Trainer.Chunk);
        WarnIfExposed(options, ctx);
        ViewerServer server = ViewerServer.StartAsync(scene, options, ctx.Cancel).GetAwaiter().GetResult();
        try
        {
            ctx.Out.WriteLine($"viewer: {server.Address} (run {run.Folder.Path}, step {run.Step}); Ctrl+C to stop");
            ctx.Cancel.WaitHandle.WaitOne();
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return 0;
    }

    /// <summary>
    /// Starts the viewer on a model that is about to train: it subscribes to the trainer's per-step report (step, loss,
    /// PSNR) and renders on its own threads with their own render contexts, reading the parameters as training writes them.
    /// Dispose it to stop serving.
    /// </summary>
    public static IDisposable StartLive(ViewerOptions options, string title, IRadianceModel model, DataParserOutput train, int chunk, Trainer trainer, CliContext ctx)
    {
        var status = new TrainingStatus();
        var scene = ViewerScene.FromData(title, model, train, chunk) with { Training = status };
        WarnIfExposed(options, ctx);
        ViewerServer server = ViewerServer.StartAsync(scene, options, ctx.Cancel).GetAwaiter().GetResult();
        Action<TrainingProgress>? previous = trainer.OnProgress;
        trainer.OnProgress = p =>
        {
            previous?.Invoke(p);
            status.Report(p.Step, p.TotalSteps, p.Loss.Loss, p.Loss.Psnr);
        };
        ctx.Out.WriteLine($"viewer: {server.Address} (live while training; frames take at most {options.TrainingShare:P0} of the wall clock per connected browser)");
        return new LiveViewer(server, status);
    }

    private static void WarnIfExposed(ViewerOptions options, CliContext ctx)
    {
        if (!options.IsLoopback)
        {
            ctx.Error.WriteLine($"warning: the viewer listens on {options.Host}, not on loopback: anyone who can reach this machine on port {options.Port} can see the scene");
        }
    }

    /// <summary>A running viewer of a training run: disposing it marks training stopped and closes the server.</summary>
    private sealed class LiveViewer(ViewerServer server, TrainingStatus status) : IDisposable
    {
        public void Dispose()
        {
            status.Finish();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
