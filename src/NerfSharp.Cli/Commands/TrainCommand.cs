using NerfSharp.Cameras;
using System.CommandLine;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Diagnostics;
using NerfSharp.Evaluation;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Training;
using NerfSharp.Viewer;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf train</c>: trains a model on a dataset into a run folder, or continues one (--resume RUN).
/// </summary>
public static class TrainCommand
{
    /// <summary>The <c>train</c> command.</summary>
    public static Command Create(CliContext ctx)
    {
        var data = CliOptions.Text("--data", "dataset folder (Blender, transforms.json, LLFF or COLMAP)", "DIR", "--datadir");
        var model = CliOptions.Text("--model", "ngp (default: instant-ngp's hash grid), nerfacto (nerfstudio's, for real captures) or vanilla (nerf-pytorch's NeRF)", "ngp|nerfacto|vanilla");
        var output = CliOptions.Text("--out", "run folder (default: basedir/expname)", "DIR");
        var timeBudget = CliOptions.OptionalDouble("--time-budget", "wall-clock seconds from process start, loading included; stretches the schedule over the budget and scores the val split at the end", "SECONDS", "--time_budget");
        var steps = CliOptions.OptionalInt("--steps", "training steps (runs with --steps are deterministic: same seed, same bits)", "--N_iters");
        var seed = CliOptions.Text("--seed", "random seed", "S");
        var logEvery = CliOptions.OptionalInt("--log-every", "steps between metrics.jsonl records", "--i_print");
        var checkpointEvery = CliOptions.OptionalInt("--checkpoint-every", "steps between checkpoints", "--i_weights");
        var configFile = CliOptions.Text("--config", "nerf-pytorch 'key = value' config file (configs/lego.txt works as it is); flags override it", "FILE");
        var resume = CliOptions.Text("--resume", "continue this run folder from its last checkpoint", "RUN");
        var viewer = CliOptions.Flag("--viewer", "serve the live web viewer while training (http://HOST:PORT)");
        var port = CliOptions.Int("--port", "viewer port", ViewerOptions.DefaultPort);
        var host = CliOptions.TextWithDefault("--host", "viewer address to bind (anything but loopback is reachable from other machines)", ViewerOptions.DefaultHost, "ADDRESS");
        var command = new Command("train", CommandHelp.Describe(
            "Train a model on a dataset into a run folder, or continue one.",
            [
                "nerf train --data scenes/lego --out runs/lego --time-budget 120",
                "nerf train --data scenes/lego --model vanilla --out runs/lego_vanilla --steps 2000 --N_rand 1024 --white_bkgd",
                "nerf train --config configs/lego.txt",
                "nerf train --resume runs/lego --steps 4000",
                "nerf train --data scenes/statue --out runs/statue --viewer",
            ],
            "Any nerf-pytorch key (--N_rand 1024, --lrate 5e-4, --no_batching) or NerfSharp key (--log2_hashmap_size 18,\n" +
            "--target_samples 131072, --loss huber) is a flag too, as --KEY VALUE or --KEY=VALUE; an unknown key is an error."))
        {
            data, model, output, timeBudget, steps, seed, logEvery, checkpointEvery, configFile, resume, viewer, port, host,
        };
        command.AcceptConfigKeys();
        command.SetAction(parse =>
        {
            // Our typed options first, then the other keys in the order given: all override the config file.
            var flags = new List<KeyValuePair<string, string>>();
            void Add(string key, object? value)
            {
                if (value != null)
                {
                    flags.Add(new(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!));
                }
            }

            Add("data", parse.GetValue(data));
            Add("time-budget", parse.GetValue(timeBudget));
            Add("steps", parse.GetValue(steps));
            Add("seed", parse.GetValue(seed));
            Add("log-every", parse.GetValue(logEvery));
            Add("checkpoint-every", parse.GetValue(checkpointEvery));
            flags.AddRange(ConfigKeyArguments.Read(parse));
            ViewerOptions? live = parse.GetValue(viewer) ? new ViewerOptions { Port = parse.GetValue(port), Host = parse.GetValue(host)! } : null;
            return Run(parse.GetValue(resume), parse.GetValue(configFile), parse.GetValue(output), parse.GetValue(model), flags, ctx, live);
        });
        return command;
    }

    /// <summary>Resolves the run config (defaults or the run's config.json, the config file, then <paramref name="flags"/>) and trains.</summary>
    public static int Run(string? resume, string? configFile, string? output, string? model, IReadOnlyList<KeyValuePair<string, string>> flags, CliContext ctx, ViewerOptions? viewer = null)
    {
        RunConfig config;
        if (resume != null)
        {
            var folder = new RunFolder(resume);
            config = folder.ReadConfig() with { OutputDir = folder.Path };
            if (configFile != null)
            {
                throw new ArgumentException("--config cannot be combined with --resume (the run's config.json is used)");
            }
        }
        else
        {
            // A nerf-pytorch config file describes vanilla NeRF (unless it names another model); without one, the
            // model's preset is the base.
            config = configFile != null ? NerfPytorchConfigFile.Load(configFile) : ModelPresets.Defaults(model ?? ModelPresets.DefaultModel);
            if (output != null)
            {
                config = config with { OutputDir = output };
            }
        }

        if (model != null)
        {
            config = config with { Model = model };
        }

        bool stepsGiven = flags.Any(f => f.Key is "steps" or "N_iters");
        config = RunConfigResolver.ApplyFlags(config, flags);
        if (config.Trainer.TimeBudgetSeconds > 0 && !stepsGiven && resume == null)
        {
            config = config with { Trainer = config.Trainer with { Steps = int.MaxValue } };
        }

        config = RunConfigResolver.Absolutize(config);
        return Train(config, resume != null, ctx, viewer);
    }

    /// <summary>Trains with a resolved config; shared with <c>nerf demo</c>. With <paramref name="viewer"/>, the web viewer is live while training.</summary>
    public static int Train(RunConfig config, bool resume, CliContext ctx, ViewerOptions? viewer = null)
    {
        var folder = new RunFolder(config.OutputDir);
        string? latest = folder.LatestCheckpoint();
        if (!resume && latest != null)
        {
            throw new ArgumentException($"{folder.Path} already holds checkpoints; continue it with --resume {folder.Path} or choose another --out");
        }

        if (resume && latest == null)
        {
            throw new DataFormatException(folder.CheckpointsPath, "no checkpoint to resume from (start a new run with --data and --out instead)");
        }

        if (config.Render.RenderOnly)
        {
            return RenderOnly(config, folder, ctx);
        }

        DataParserOutput train = DatasetLoader.Load(config.Data, "train", maxImageBytes: MemoryBudget.ImageBytes(config));
        CheckBatchFits(config, train);
        if (train.Images.Count > 0 && train.Images[0].IsCompact)
        {
            ctx.Out.WriteLine($"images kept as 8-bit samples to stay within --max-memory {MemorySize.Format(config.Trainer.MaxMemoryBytes)}");
        }

        ctx.Out.WriteLine($"nerf train: {train.Count} images {train.Images[0].Width}x{train.Images[0].Height} from {config.Data.DataDir}, model {config.Model}, {config.Trainer.Steps} steps, run folder {folder.Path}");
        if (config.Model == "ngp" && config.Ngp.SceneBoxHalfSize <= 0)
        {
            // The dataset's box (instant-ngp's aabb_scale) when it has one, else nerf_synthetic's; saved in config.json.
            double half = train.SceneBox is { } b
                ? new[] { b.MinX, b.MinY, b.MinZ, b.MaxX, b.MaxY, b.MaxZ }.Max(Math.Abs)
                : ModelFactory.DefaultSceneBoxHalfSize;
            config = config with { Ngp = config.Ngp with { SceneBoxHalfSize = half, AabbScale = Math.Max(1, train.AabbScale) } };
        }

        config = ModelFactory.ResolveForData(config, train);
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        ModelFactory.AttachData(model, train);
        ctx.Out.WriteLine($"parameters: {model.Parameters.Count:N0}");
        var trainer = new Trainer(config, model, train);
        if (ctx.Started is DateTime started)
        {
            trainer.BudgetClockStart = started;
        }

        if (resume && latest != null)
        {
            trainer.Resume(latest);
            ctx.Out.WriteLine($"resumed from step {trainer.Step} (checkpoint {latest})");
        }
        else
        {
            trainer.Initialize();
        }

        // Written only once the checkpoint has loaded, so a failed resume leaves the run folder as it was.
        folder.WriteConfig(config);

        using var progress = new ConsoleProgress(ctx, "train");
        long sessionRays = 0;
        trainer.OnProgress = p =>
        {
            sessionRays += model.LastStep.Rays;
            progress.ReportTraining(p, sessionRays, config.Trainer.TimeBudgetSeconds, trainer.BudgetClockStart);
        };
        trainer.OnTestset = step => RenderTestset(config, model, folder, step, ctx);
        // Plain progress lines for the video: the training bar stays the only live display.
        trainer.OnVideo = step => RenderCommand.RenderPath(config, model, train, "spiral", Path.Combine(folder.Path, $"video_{step:D6}"), 40, true, ctx with { Interactive = false });
        using IDisposable? live = viewer is null ? null : ViewCommand.StartLive(viewer, config.ExperimentName, model, train, config.Trainer.Chunk, trainer, ctx);
        TrainingResult result = trainer.Run(ctx.Cancel);
        progress.Finish();
        if (result.Interrupted)
        {
            ctx.Out.WriteLine($"interrupted at step {result.Step}; checkpoint {result.CheckpointPath}; continue with: nerf train --resume {folder.Path}");
            return 130;
        }

        ctx.Out.WriteLine($"done: step {result.Step}, loss {result.LastLoss.Loss:F6}, train psnr {result.LastLoss.Psnr:F2} dB, {result.ElapsedSeconds:F1} s, peak RSS {ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0):F0} MiB");
        if (model.CameraOptimizer is { } cameras)
        {
            var (rotation, translation) = cameras.MeanCorrection();
            ctx.Out.WriteLine($"camera corrections ({CameraOptimizerModes.Name(cameras.Mode)}): mean rotation {rotation:F3} degrees, mean translation {translation:F4} (training cameras only; eval and render use the poses as given)");
        }

        ctx.Out.WriteLine($"checkpoint: {result.CheckpointPath}");
        ctx.Out.WriteLine($"metrics:    {folder.MetricsPath}");
        if (config.Trainer.TimeBudgetSeconds > 0)
        {
            FinalEvaluation(config, model, folder, ctx);
        }

        ReportCommand.WriteAfterTraining(folder, config, model, result.Step, result.CheckpointPath, ctx);
        return 0;
    }

    /// <summary>
    /// N_rand must fit the pixels it is drawn from (one image, or its centre crop, with no_batching; the whole set
    /// otherwise). Checked before the model sizes its buffers from it, so a typo like --N_rand 100000000 is an
    /// error, not gigabytes of workspace.
    /// </summary>
    private static void CheckBatchFits(RunConfig config, DataParserOutput train)
    {
        var t = config.Trainer;
        int width = train.Images[0].Width, height = train.Images[0].Height;
        long available = t.NoBatching ? (long)width * height : (long)width * height * train.Count;
        string what = t.NoBatching ? "one training image" : "the training set";
        if (t.NoBatching && t.PrecropIters > 0)
        {
            available = 4L * (int)(height / 2 * t.PrecropFrac) * (int)(width / 2 * t.PrecropFrac);
            what = $"the centre crop (precrop_frac {t.PrecropFrac}) of one training image";
        }

        if (t.BatchRays > available)
        {
            throw new ArgumentException($"N_rand = {t.BatchRays} exceeds the {available} pixels of {what} in {config.Data.DataDir}");
        }
    }

    /// <summary>nerf-pytorch's render_only: render the spiral (or the test split with render_test) from the last checkpoint, then exit.</summary>
    private static int RenderOnly(RunConfig config, RunFolder folder, CliContext ctx)
    {
        TrainedRun run = TrainedRun.Open(folder.Path);
        string split = config.Render.RenderTest ? DatasetLoader.HeldOutSplit(config.Data) : "train";
        string path = config.Render.RenderTest ? split : "spiral";
        DataParserOutput reference = DatasetLoader.Load(config.Data, split);
        string output = Path.Combine(folder.Path, $"renderonly_{(config.Render.RenderTest ? "test" : "path")}_{run.Step:D6}");
        RenderCommand.RenderPath(config, run.Model, reference, path, output, 40, video: true, ctx);
        return 0;
    }

    /// <summary>After a time-budgeted run: scores the val split (test where there is none) and prints PSNR/SSIM.</summary>
    private static void FinalEvaluation(RunConfig config, IRadianceModel model, RunFolder folder, CliContext ctx)
    {
        var splits = DatasetLoader.AvailableSplits(config.Data);
        string split = splits.Contains("val") ? "val" : splits.Contains("test") ? "test" : "train";
        DataParserOutput data = DatasetLoader.Load(config.Data, split);
        string dir = Path.Combine(folder.Path, $"eval_{split}");
        EvaluationResult r = Evaluator.Evaluate(model, data, config.Trainer.Chunk, dir);
        ctx.Out.WriteLine($"{split}: PSNR {r.Psnr:F2} dB, SSIM {r.Ssim:F4} over {r.Images} images ({r.SecondsPerImage:F2} s/image) -> {dir}");
    }

    private static void RenderTestset(RunConfig config, IRadianceModel model, RunFolder folder, long step, CliContext ctx)
    {
        string split = DatasetLoader.HeldOutSplit(config.Data);
        DataParserOutput data = DatasetLoader.Load(config.Data, split);
        string dir = Path.Combine(folder.Path, $"testset_{step:D6}");
        EvaluationResult r = Evaluator.Evaluate(model, data, config.Trainer.Chunk, dir);
        ctx.Out.WriteLine($"[step {step}] {split} set: psnr {r.Psnr:F2} ssim {r.Ssim:F4} over {r.Images} images -> {dir}");
    }
}
