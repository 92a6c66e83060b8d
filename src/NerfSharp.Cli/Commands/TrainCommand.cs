using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Diagnostics;
using NerfSharp.Evaluation;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Training;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf train</c>: trains a model on a dataset into a run folder, or continues one (--resume RUN).
/// </summary>
public static class TrainCommand
{
    public static int Run(CliArguments args, CliContext ctx)
    {
        RunConfig config;
        string? resume = args.Take("resume");
        string? configFile = args.Take("config");
        string? output = args.Take("out");
        string? model = args.Take("model");
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

        bool stepsGiven = args.Has("steps") || args.Has("N_iters");
        config = RunConfigResolver.ApplyFlags(config, args);
        if (config.Trainer.TimeBudgetSeconds > 0 && !stepsGiven && resume == null)
        {
            config = config with { Trainer = config.Trainer with { Steps = int.MaxValue } };
        }

        config = RunConfigResolver.Absolutize(config);
        return Train(config, resume != null, ctx);
    }

    /// <summary>Trains with a resolved config; shared with <c>nerf demo</c>.</summary>
    public static int Train(RunConfig config, bool resume, CliContext ctx)
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

        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        CheckBatchFits(config, train);
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

        var progress = new ConsoleProgress(ctx.Error, "train", ctx.Interactive);
        trainer.OnProgress = p => progress.Report(p.Step, p.TotalSteps, p.SessionSeconds, p.SessionSteps, $"loss {p.Loss.Loss:F5} psnr {p.Loss.Psnr:F2} lr {p.LearningRate:E2}");
        trainer.OnTestset = step => RenderTestset(config, model, folder, step, ctx);
        trainer.OnVideo = step => RenderCommand.RenderPath(config, model, train, "spiral", Path.Combine(folder.Path, $"video_{step:D6}"), 40, true, ctx);
        TrainingResult result = trainer.Run(ctx.Cancel);
        progress.Finish();
        if (result.Interrupted)
        {
            ctx.Out.WriteLine($"interrupted at step {result.Step}; checkpoint {result.CheckpointPath}; continue with: nerf train --resume {folder.Path}");
            return 130;
        }

        ctx.Out.WriteLine($"done: step {result.Step}, loss {result.LastLoss.Loss:F6}, train psnr {result.LastLoss.Psnr:F2} dB, {result.ElapsedSeconds:F1} s, peak RSS {ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0):F0} MiB");
        ctx.Out.WriteLine($"checkpoint: {result.CheckpointPath}");
        ctx.Out.WriteLine($"metrics:    {folder.MetricsPath}");
        if (config.Trainer.TimeBudgetSeconds > 0)
        {
            FinalEvaluation(config, model, folder, ctx);
        }

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
