using NerfSharp.Cli.Commands;
using NerfSharp.Training;

namespace NerfSharp.Cli;

/// <summary>The <c>nerf</c> command.</summary>
public static class Program
{
    /// <summary>Exit code of a user's error: bad input, a missing file, a bad flag, a full or read-only disk.</summary>
    public const int ExitUserError = 1;

    /// <summary>Exit code of an internal error (a bug).</summary>
    public const int ExitInternalError = 2;

    /// <summary>Exit code of a run whose loss or parameters turned NaN/Inf.</summary>
    public const int ExitDiverged = 3;

    public const string Usage = """
        nerf: Neural Radiance Fields in C#

          nerf demo   --out DIR [--model ngp|vanilla] [--steps N] [--size PX] [--frames N] [--KEY VALUE ...]
                      generate a procedural scene, train, score the test views, render a 360-degree video
          nerf train  --data DIR [--model ngp|vanilla] [--out DIR] [--time-budget SECONDS] [--steps N] [--seed S]
                      [--log-every N] [--config FILE] [--KEY VALUE ...]   (any nerf-pytorch key, e.g. --N_rand 1024)
                      [--viewer [--port 7007] [--host 127.0.0.1]]   live web viewer while training
                      default model: ngp (instant-ngp's hash grid + occupancy grid); a nerf-pytorch config file
                      trains vanilla NeRF. --time-budget counts wall-clock seconds from process start (loading
                      included), stretches the schedule over the budget and evaluates the val split at the end;
                      such runs depend on the machine's speed. Runs with --steps are deterministic (same seed, same bits).
          nerf train  --resume RUN [--steps N]                continue from the run's last checkpoint
          nerf eval   --run RUN --split val|test|train [--data OTHER_DIR] [--json] [--max-images N] [--testskip N] [--out DIR]
          nerf view   --run RUN [--port 7007] [--host 127.0.0.1]   web viewer on http://127.0.0.1:7007 until Ctrl+C
          nerf render --run RUN --path spiral|test|val|train [--out DIR] [--video] [--frames N] [--render-factor F]
          nerf bench  [--model vanilla|ngp] [--data DIR] [--iters N] [--warmup N] [--minutes M]
                      vanilla: seconds per lego-config iteration; ngp: val PSNR against training time on lego_400
                      (15 s .. 10 min), hash-encoding and MLP throughput, render seconds per frame
          nerf process images DIR --out SCENE                 COLMAP (CPU) on photos -> transforms.json + images_2/4/8
          nerf process video FILE --out SCENE [--frames N]    ffmpeg frames, then the same

        Config files are nerf-pytorch's 'key = value' files (configs/lego.txt works as it is);
        command-line flags override the file.
        """;

    public static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                Console.Error.WriteLine("\nstopping after this step (Ctrl+C again to abort without a checkpoint)...");
                cancel.Cancel();
            }
        };
        var ctx = new CliContext(Console.Out, Console.Error, cancel.Token, !Console.IsErrorRedirected);
        return Run(args, ctx);
    }

    /// <summary>Runs one command; returns the process exit code. Errors are reported on ctx.Error.</summary>
    public static int Run(string[] args, CliContext ctx)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            ctx.Out.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }

        try
        {
            if (args[0] == "process")
            {
                return ProcessCommand.Run(args[1..], ctx);
            }

            if (args[0] == "view")
            {
                return ViewCommand.Run(args, ctx);
            }

            var rest = new CliArguments(args[1..]);
            return args[0] switch
            {
                "demo" => DemoCommand.Run(rest, ctx),
                "train" => TrainCommand.Run(rest, ctx),
                "eval" => EvalCommand.Run(rest, ctx),
                "render" => RenderCommand.Run(rest, ctx),
                "bench" => BenchCommand.Run(rest, ctx),
                _ => throw new ArgumentException($"unknown command '{args[0]}'\n{Usage}"),
            };
        }
        catch (DataFormatException e)
        {
            ctx.Error.WriteLine($"error: {e.Message}");
            return ExitUserError;
        }
        catch (TrainingDivergedException e)
        {
            ctx.Error.WriteLine($"error: {e.Message}");
            return ExitDiverged;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException)
        {
            ctx.Error.WriteLine($"error: {e.Message}");
            return ExitUserError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only folder: the message of these exceptions names the path.
            ctx.Error.WriteLine($"error: {e.Message}");
            return ExitUserError;
        }
        catch (Exception e)
        {
            ctx.Error.WriteLine($"internal error (a NerfSharp bug, please report it): {e.GetType().Name}: {e.Message}");
            ctx.Error.WriteLine(e.StackTrace);
            return ExitInternalError;
        }
    }
}
