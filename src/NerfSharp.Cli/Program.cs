using System.CommandLine;
using System.CommandLine.Parsing;
using NerfSharp.Cli.Commands;
using NerfSharp.Training;

namespace NerfSharp.Cli;

/// <summary>The <c>nerf</c> command: parses the command line with System.CommandLine and maps errors to exit codes.</summary>
public static class Program
{
    /// <summary>Exit code of a user's error: bad input, a missing file, a bad flag, a full or read-only disk.</summary>
    public const int ExitUserError = 1;

    /// <summary>Exit code of an internal error (a bug).</summary>
    public const int ExitInternalError = 2;


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

    /// <summary>The <c>nerf</c> root command: one subcommand per file in Commands/, a global --verbose.</summary>
    public static RootCommand CreateRoot(CliContext ctx)
    {
        var root = new RootCommand(CommandHelp.Describe(
            "nerf: Neural Radiance Fields in C#",
            ["nerf demo --out runs/demo", "nerf train --data scenes/lego --out runs/lego --time-budget 120", "nerf train --help"],
            "Config files are nerf-pytorch's 'key = value' files (configs/lego.txt works as it is); command-line flags override the file.\n" +
            "Exit codes: 0 ok, 1 a user's error, 2 an internal error (a bug), 130 interrupted; a diverged run (NaN/Inf) is exit 1."))
        {
            DemoCommand.Create(ctx),
            TrainCommand.Create(ctx),
            EvalCommand.Create(ctx),
            RenderCommand.Create(ctx),
            BenchCommand.Create(ctx),
            ProcessCommand.Create(ctx),
            ReportCommand.Create(ctx),
            ExportCommand.Create(ctx),
            ViewCommand.Create(ctx),
        };
        root.Add(new Option<bool>(VerboseFlag) { Description = "show the stack trace of an error", Recursive = true });
        CommandHelp.ListSummariesOnly(root);

        return root;
    }

    /// <summary>The global flag that adds stack traces to error messages.</summary>
    public const string VerboseFlag = "--verbose";

    /// <summary>Runs one command; returns the process exit code. Errors are reported on ctx.Error.</summary>
    public static int Run(string[] args, CliContext ctx)
    {
        RootCommand root = CreateRoot(ctx);
        var invocation = new InvocationConfiguration
        {
            Output = ctx.Out,
            Error = ctx.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Main's Ctrl+C handler stops training after a checkpoint
        };
        if (args.Length == 0)
        {
            root.Parse(["--help"]).Invoke(invocation);
            return ExitUserError;
        }

        if (args[0] == "help")
        {
            args = [.. args[1..], "--help"];
        }

        bool verbose = args.Contains(VerboseFlag);
        try
        {
            ParseResult parse = root.Parse(args, new ParserConfiguration { EnablePosixBundling = false, ResponseFileTokenReplacer = null });
            if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
            {
                ctx.Error.WriteLine($"error: {ParseErrorMessage.Describe(parse)}");
                return ExitUserError;
            }

            return parse.Invoke(invocation);
        }
        catch (DataFormatException e)
        {
            return Report(ctx, e, verbose, ExitUserError);
        }
        catch (TrainingDivergedException e)
        {
            // The run's settings (usually the learning rate) made it diverge; its last checkpoint is intact: a user's error.
            return Report(ctx, e, verbose, ExitUserError);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException)
        {
            return Report(ctx, e, verbose, ExitUserError);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only folder: the message of these exceptions names the path.
            return Report(ctx, e, verbose, ExitUserError);
        }
        catch (Exception e)
        {
            string trace = verbose ? "" : $" (run again with {VerboseFlag} for the stack trace)";
            ctx.Error.WriteLine($"internal error (a NerfSharp bug, please report it): {e.GetType().Name}: {e.Message}{trace}");
            if (verbose)
            {
                ctx.Error.WriteLine(e.ToString());
            }

            return ExitInternalError;
        }
    }

    private static int Report(CliContext ctx, Exception e, bool verbose, int code)
    {
        ctx.Error.WriteLine($"error: {e.Message}");
        if (verbose)
        {
            ctx.Error.WriteLine(e.ToString());
        }

        return code;
    }
}
