using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Diagnostics;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Training;

/// <summary>
/// The optimisation loop shared by every model: model's per-step hook -> pick pixels -> make rays (with a random
/// background per ray for RGBA images) -> model loss and gradients -> check finite -> Adam with each parameter
/// group's own settings and schedule -> log, checkpoint. With the model's camera optimizer, each batch's rays are
/// corrected before the model sees them and the model's ray gradients flow back into the corrections (the reported loss
/// leaves out the corrections' norm penalty). Checkpoints carry the parameters, Adam's moments, the model's
/// non-trainable state and every random-number state, so a resumed run continues bit for bit.
/// <para>A run ends after <see cref="TrainerConfig.Steps"/> steps or, with <see cref="TrainerConfig.TimeBudgetSeconds"/>,
/// when the run's wall clock (previous sessions plus this process since it started, loading included) reaches the
/// budget; schedules then run over the budget's fraction, so such runs depend on the machine's speed.</para>
/// </summary>
public sealed class Trainer
{
    private const string MetaElapsed = "elapsed_s";
    private const string MetaTrainerRng = "trainer_rng";
    private const string MetaSamplerEpoch = "sampler_epoch";
    private const string MetaSamplerCursor = "sampler_cursor";
    private const string MetaSamplerRng = "sampler_rng";
    private const string MetaConfig = "config";
    private const string MetaModel = "model";
    private const string MetaBatchRays = "batch_rays";

    private readonly RunConfig config;
    private readonly IRadianceModel model;
    private readonly DataParserOutput train;
    private readonly Adam adam;
    private readonly PixelSampler sampler;
    private readonly Rng rng;
    private readonly CheckpointDirectory checkpoints;
    private readonly MetricsLog metrics;
    private readonly ParameterGroup[] groups;
    private readonly double[] groupRates;
    private long step;
    private double elapsedBefore;
    private int batchRays;

    public Trainer(RunConfig config, IRadianceModel model, DataParserOutput train)
    {
        if (train.Count == 0)
        {
            throw new ArgumentException("the training split has no images", nameof(train));
        }

        this.config = config;
        this.model = model;
        this.train = train;
        var t = config.Trainer;
        var groupConfigs = new Dictionary<string, AdamConfig>(StringComparer.Ordinal);
        foreach (var g in model.ParameterGroups)
        {
            groupConfigs[g.Name] = g.Adam;
        }

        adam = new Adam(model.Parameters, new AdamConfig(), groupConfigs);
        groups = new ParameterGroup[adam.Groups.Count];
        foreach (string name in adam.Groups)
        {
            groups[adam.GroupIndexOf(name)] = model.ParameterGroups.FirstOrDefault(g => g.Name == name)
                ?? throw new ArgumentException($"the model registers parameters in group '{name}' but does not declare it", nameof(model));
        }

        groupRates = new double[groups.Length];
        batchRays = InitialBatchRays(t);
        var sizes = train.Images.Select(i => (i.Width, i.Height)).ToArray();
        sampler = new PixelSampler(sizes, !t.NoBatching, t.PrecropIters, t.PrecropFrac, t.Seed, train.Masks);
        rng = new Rng(t.Seed ^ 0x7EA1_0000_0000_0002UL);
        Directory.CreateDirectory(config.OutputDir);
        checkpoints = new CheckpointDirectory(Path.Combine(config.OutputDir, "checkpoints"));
        metrics = new MetricsLog(Path.Combine(config.OutputDir, "metrics.jsonl"));
    }

    /// <summary>Steps completed so far.</summary>
    public long Step => step;

    /// <summary>Rays of the next step (adapted to <see cref="TrainerConfig.TargetSamplesPerStep"/> when that is set).</summary>
    public int BatchRays => batchRays;

    /// <summary>When the time budget is counted from (default: this process's start).</summary>
    public DateTime BudgetClockStart { get; set; } = ProcessStartUtc();

    /// <summary>
    /// Called before each step with the step about to run and the run's training seconds so far (evaluations at given
    /// moments). Time spent inside the hook is not counted as training time (nor against the budget).
    /// </summary>
    public Action<long, double>? BeforeStepHook { get; set; }

    public CheckpointDirectory Checkpoints => checkpoints;

    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? OnProgress { get; set; }

    /// <summary>Called with the step number whenever a checkpoint has been written.</summary>
    public Action<long, string>? OnCheckpoint { get; set; }

    /// <summary>Called after step s when s is a multiple of i_testset / i_video (hooks for renders during training).</summary>
    public Action<long>? OnTestset { get; set; }

    public Action<long>? OnVideo { get; set; }

    /// <summary>Fresh start: initialises parameters from the seed.</summary>
    public void Initialize()
    {
        model.Initialize(new Rng(config.Trainer.Seed));
        step = 0;
        elapsedBefore = 0;
        batchRays = InitialBatchRays(config.Trainer);
        if (File.Exists(metrics.FilePath))
        {
            File.Delete(metrics.FilePath);
        }
    }

    /// <summary>Restores parameters, optimizer and random states from a checkpoint written by this trainer.</summary>
    public void Resume(string checkpointPath)
    {
        CheckpointData data = Checkpoint.Load(checkpointPath, model.Parameters, adam, model.State);
        model.OnStateRestored();
        step = data.Step;
        if (data.Metadata.ContainsKey(MetaBatchRays))
        {
            batchRays = (int)ReadDouble(data, MetaBatchRays, checkpointPath);
        }

        elapsedBefore = ReadDouble(data, MetaElapsed, checkpointPath);
        rng.SetState(ParseState(data, MetaTrainerRng, checkpointPath));
        sampler.Restore(new PixelSamplerState(
            (long)ReadDouble(data, MetaSamplerEpoch, checkpointPath),
            (long)ReadDouble(data, MetaSamplerCursor, checkpointPath),
            ParseState(data, MetaSamplerRng, checkpointPath)));
        metrics.TruncateAfter(step);
    }

    /// <summary>Trains until config.Trainer.Steps steps are done, the time budget is spent or <paramref name="cancel"/> fires (then checkpoints and returns).</summary>
    public TrainingResult Run(CancellationToken cancel = default)
    {
        var t = config.Trainer;
        int capacity = Math.Max(batchRays, MaxBatchRays(t));
        var pixels = new PixelIndex[capacity];
        Span<float> pixel = stackalloc float[4];
        var rays = new RayBatch(capacity);
        CameraOptimizer? cameraOptimizer = model.CameraOptimizer;
        if (cameraOptimizer != null)
        {
            rays.EnableRayGradients();
        }

        var target = new float[capacity * 3];
        var watch = Stopwatch.StartNew();
        long sessionStart = step;
        TrainLoss loss = default;
        string? lastCheckpoint = null;
        bool interrupted = false;
        float[] grads = model.Parameters.Gradients;
        var (bgR, bgG, bgB) = train.Background.ToRgb();
        double budget = t.TimeBudgetSeconds;
        double budgetUsedBefore = budget > 0 ? elapsedBefore + (DateTime.UtcNow - BudgetClockStart).TotalSeconds - watch.Elapsed.TotalSeconds : 0;
        double excluded = 0;
        double Session() => watch.Elapsed.TotalSeconds - excluded;
        while (step < t.Steps)
        {
            if (BeforeStepHook != null)
            {
                long h0 = Stopwatch.GetTimestamp();
                BeforeStepHook(step, elapsedBefore + Session());
                excluded += Stopwatch.GetElapsedTime(h0).TotalSeconds;
            }

            double progress = budget > 0 ? (budgetUsedBefore + Session()) / budget : (double)step / Math.Max(1, t.Steps);
            if (budget > 0 && progress >= 1 && step > sessionStart)
            {
                break; // a budgeted session takes at least one step, so it always ends with a checkpoint
            }

            if (cancel.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }

            long stepStartTicks = Stopwatch.GetTimestamp();
            model.BeforeStep(step, rng);
            int n = batchRays;
            Span<PixelIndex> stepPixels = pixels.AsSpan(0, n);
            sampler.Next(step, stepPixels);
            for (int i = 0; i < n; i++)
            {
                PixelIndex p = stepPixels[i];
                DepthBounds bounds = train.BoundsOf(p.Image);
                // With jitter the ray goes through a random point of the pixel's square around its nominal point.
                double jx = t.PixelJitter ? rng.NextFloat() - 0.5 : 0, jy = t.PixelJitter ? rng.NextFloat() - 0.5 : 0;
                Ray world = RayGenerator.GetRay(train.Cameras[p.Image], p.X + jx, p.Y + jy);
                rays.Set(i, train.ToTrainingSpace(world), bounds.Near, bounds.Far, p.Image);
                if (train.Ndc)
                {
                    rays.SetViewDirection(i, world);
                }

                var img = train.Images[p.Image];
                img.ReadPixel(p.X, p.Y, pixel);
                if (img.Channels == 4)
                {
                    // RGBA: a random background per ray, the target composited over it (instant-ngp), so the
                    // model cannot explain transparent pixels with a coloured haze.
                    float r = rng.NextFloat(), g = rng.NextFloat(), b = rng.NextFloat();
                    float a = pixel[3];
                    target[(i * 3) + 0] = (pixel[0] * a) + (r * (1 - a));
                    target[(i * 3) + 1] = (pixel[1] * a) + (g * (1 - a));
                    target[(i * 3) + 2] = (pixel[2] * a) + (b * (1 - a));
                    rays.Background[3 * i] = r;
                    rays.Background[(3 * i) + 1] = g;
                    rays.Background[(3 * i) + 2] = b;
                }
                else
                {
                    target[(i * 3) + 0] = pixel[0];
                    target[(i * 3) + 1] = pixel[1];
                    target[(i * 3) + 2] = pixel[2];
                    rays.Background[3 * i] = bgR;
                    rays.Background[(3 * i) + 1] = bgG;
                    rays.Background[(3 * i) + 2] = bgB;
                }
            }

            rays.Count = n;
            model.Parameters.ZeroGradients();
            cameraOptimizer?.Apply(rays);
            loss = model.AccumulateGradients(rays, target, n, rng);
            cameraOptimizer?.Backward(rays);
            float gradSum = TensorPrimitives.Sum<float>(grads);

            // The parameters too: a non-finite weight can hide behind a ReLU and leave the loss finite.
            float paramSum = TensorPrimitives.Sum<float>(model.Parameters.Values);
            if (!loss.IsFinite || !float.IsFinite(gradSum) || !float.IsFinite(paramSum))
            {
                throw new TrainingDivergedException(
                    $"training diverged at step {step + 1}: loss = {loss.Loss.ToString(CultureInfo.InvariantCulture)}, gradient sum = {gradSum.ToString(CultureInfo.InvariantCulture)}, parameter sum = {paramSum.ToString(CultureInfo.InvariantCulture)}. " +
                    $"Nothing was written for this step; the last checkpoint ({checkpoints.LatestPath() ?? "none"}) is intact. Try a lower --lrate.");
            }

            for (int g = 0; g < groups.Length; g++)
            {
                groupRates[g] = groups[g].LearningRate * groups[g].Schedule.Factor(step, progress);
            }

            adam.Step(groupRates);
            step++;
            StepStatistics stats = model.LastStep;
            double stepSeconds = Stopwatch.GetElapsedTime(stepStartTicks).TotalSeconds;
            batchRays = NextBatchRays(t, batchRays, stats);
            double elapsed = elapsedBefore + Session();
            double lr = groupRates[0];
            if (t.LogEvery > 0 && (step % t.LogEvery == 0 || step == t.Steps || step == 1))
            {
                metrics.Append(new MetricsRecord(
                    step, elapsed, loss.Loss, loss.Psnr, lr, loss.MseCoarse, -10 * Math.Log10(loss.MseCoarse),
                    stats.Rays, stats.SamplesPerRay, stepSeconds > 0 ? stats.Samples / stepSeconds : null, ProcessMemory.PeakResidentBytes()));
            }

            OnProgress?.Invoke(new TrainingProgress(step, t.Steps, loss, lr, elapsed, Session(), step - sessionStart));
            if ((t.CheckpointEvery > 0 && step % t.CheckpointEvery == 0) || step == t.Steps)
            {
                lastCheckpoint = SaveCheckpoint(elapsed);
            }

            if (t.TestsetEvery > 0 && step % t.TestsetEvery == 0 && step != t.Steps)
            {
                OnTestset?.Invoke(step);
            }

            if (t.VideoEvery > 0 && step % t.VideoEvery == 0 && step != t.Steps)
            {
                OnVideo?.Invoke(step);
            }
        }

        double total = elapsedBefore + Session();
        bool budgetEnded = !interrupted && step < t.Steps;
        if ((interrupted || budgetEnded) && step > sessionStart && !IsLatest(lastCheckpoint))
        {
            lastCheckpoint = SaveCheckpoint(total);
        }

        return new TrainingResult(step, loss, total, lastCheckpoint ?? checkpoints.LatestPath(), interrupted);
    }

    private bool IsLatest(string? path) => path != null && path == checkpoints.PathFor(step);

    private static DateTime ProcessStartUtc()
    {
        try
        {
            return Process.GetCurrentProcess().StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return DateTime.UtcNow;
        }
    }

    private static int InitialBatchRays(TrainerConfig t) => t.TargetSamplesPerStep > 0 ? Math.Min(t.BatchRays, MaxBatchRays(t)) : t.BatchRays;

    private static int MaxBatchRays(TrainerConfig t) => t.TargetSamplesPerStep > 0 ? Math.Max(t.BatchRays, t.MaxBatchRays) : t.BatchRays;

    /// <summary>
    /// instant-ngp's adaptive batch: the next step's ray count is chosen so that rays x measured samples per ray
    /// meets the target sample count, within [256, MaxBatchRays] (rounded to a multiple of 128).
    /// </summary>
    private static int NextBatchRays(TrainerConfig t, int current, StepStatistics stats)
    {
        if (t.TargetSamplesPerStep <= 0 || stats.Rays == 0)
        {
            return current;
        }

        double perRay = Math.Max(1.0, stats.SamplesPerRay);
        int next = (int)Math.Round(t.TargetSamplesPerStep / perRay / 128.0) * 128;
        return Math.Clamp(next, 256, MaxBatchRays(t));
    }

    private string SaveCheckpoint(double elapsed)
    {
        PixelSamplerState s = sampler.State;
        var meta = new Dictionary<string, string>
        {
            [MetaElapsed] = elapsed.ToString("R", CultureInfo.InvariantCulture),
            [MetaTrainerRng] = FormatState(rng.GetState()),
            [MetaSamplerEpoch] = s.Epoch.ToString(CultureInfo.InvariantCulture),
            [MetaSamplerCursor] = s.Cursor.ToString(CultureInfo.InvariantCulture),
            [MetaSamplerRng] = FormatState(s.RngState),
            [MetaModel] = config.Model,
            [MetaConfig] = RunConfigJson.Serialize(config),
            [MetaBatchRays] = batchRays.ToString(CultureInfo.InvariantCulture),
        };
        string path = checkpoints.Save(model.Parameters, adam, step, meta, model.State);
        OnCheckpoint?.Invoke(step, path);
        return path;
    }

    private static string FormatState(ulong[] state) => string.Join(",", state.Select(v => v.ToString("x16", CultureInfo.InvariantCulture)));

    private static ulong[] ParseState(CheckpointData data, string key, string path)
    {
        if (!data.Metadata.TryGetValue(key, out string? text))
        {
            throw new DataFormatException(path, $"checkpoint metadata lacks '{key}' (not written by the NerfSharp trainer?)");
        }

        try
        {
            return text.Split(',').Select(s => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException e)
        {
            throw new DataFormatException(path, $"checkpoint metadata '{key}' is malformed", e);
        }
    }

    private static double ReadDouble(CheckpointData data, string key, string path)
    {
        if (!data.Metadata.TryGetValue(key, out string? text) || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
        {
            throw new DataFormatException(path, $"checkpoint metadata '{key}' is missing or malformed");
        }

        return v;
    }
}
