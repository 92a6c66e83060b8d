using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Models;
using NerfSharp.Numerics;

namespace NerfSharp.Training;

/// <summary>
/// The optimisation loop shared by every model: pick pixels -> make rays -> model loss and gradients ->
/// check finite -> Adam with the exponential learning-rate decay -> log, checkpoint. Checkpoints carry the
/// parameters, Adam's moments and every random-number state, so a resumed run continues bit for bit.
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

    private readonly RunConfig config;
    private readonly IRadianceModel model;
    private readonly DataParserOutput train;
    private readonly Adam adam;
    private readonly PixelSampler sampler;
    private readonly Rng rng;
    private readonly CheckpointDirectory checkpoints;
    private readonly MetricsLog metrics;
    private long step;
    private double elapsedBefore;

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
        adam = new Adam(model.Parameters, new AdamConfig());
        var first = train.Images[0];
        sampler = new PixelSampler(train.Count, first.Width, first.Height, !t.NoBatching, t.PrecropIters, t.PrecropFrac, t.Seed);
        rng = new Rng(t.Seed ^ 0x7EA1_0000_0000_0002UL);
        Directory.CreateDirectory(config.OutputDir);
        checkpoints = new CheckpointDirectory(Path.Combine(config.OutputDir, "checkpoints"));
        metrics = new MetricsLog(Path.Combine(config.OutputDir, "metrics.jsonl"));
    }

    /// <summary>Steps completed so far.</summary>
    public long Step => step;

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
        if (File.Exists(metrics.FilePath))
        {
            File.Delete(metrics.FilePath);
        }
    }

    /// <summary>Restores parameters, optimizer and random states from a checkpoint written by this trainer.</summary>
    public void Resume(string checkpointPath)
    {
        CheckpointData data = Checkpoint.Load(checkpointPath, model.Parameters, adam);
        step = data.Step;
        elapsedBefore = ReadDouble(data, MetaElapsed, checkpointPath);
        rng.SetState(ParseState(data, MetaTrainerRng, checkpointPath));
        sampler.Restore(new PixelSamplerState(
            (long)ReadDouble(data, MetaSamplerEpoch, checkpointPath),
            (long)ReadDouble(data, MetaSamplerCursor, checkpointPath),
            ParseState(data, MetaSamplerRng, checkpointPath)));
        metrics.TruncateAfter(step);
    }

    /// <summary>Trains until config.Trainer.Steps steps are done or <paramref name="cancel"/> fires (then checkpoints and returns).</summary>
    public TrainingResult Run(CancellationToken cancel = default)
    {
        var t = config.Trainer;
        int n = t.BatchRays;
        var pixels = new PixelIndex[n];
        var rays = new RayBatch(n);
        var target = new float[n * 3];
        var watch = Stopwatch.StartNew();
        long sessionStart = step;
        TrainLoss loss = default;
        string? lastCheckpoint = null;
        bool interrupted = false;
        float[] grads = model.Parameters.Gradients;
        while (step < t.Steps)
        {
            if (cancel.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }

            sampler.Next(step, pixels);
            for (int i = 0; i < n; i++)
            {
                PixelIndex p = pixels[i];
                Camera cam = train.Cameras[p.Image];
                rays.Set(i, RayGenerator.GetRay(cam, p.X, p.Y), train.Near, train.Far);
                var img = train.Images[p.Image];
                int o = ((p.Y * img.Width) + p.X) * img.Channels;
                target[(i * 3) + 0] = img.Pixels[o];
                target[(i * 3) + 1] = img.Pixels[o + 1];
                target[(i * 3) + 2] = img.Pixels[o + 2];
            }

            rays.Count = n;
            model.Parameters.ZeroGradients();
            loss = model.AccumulateGradients(rays, target, n, rng);
            float gradSum = TensorPrimitives.Sum<float>(grads);

            // The parameters too: a non-finite weight can hide behind a ReLU and leave the loss finite.
            float paramSum = TensorPrimitives.Sum<float>(model.Parameters.Values);
            if (!loss.IsFinite || !float.IsFinite(gradSum) || !float.IsFinite(paramSum))
            {
                throw new TrainingDivergedException(
                    $"training diverged at step {step + 1}: loss = {loss.Loss.ToString(CultureInfo.InvariantCulture)}, gradient sum = {gradSum.ToString(CultureInfo.InvariantCulture)}, parameter sum = {paramSum.ToString(CultureInfo.InvariantCulture)}. " +
                    $"Nothing was written for this step; the last checkpoint ({checkpoints.LatestPath() ?? "none"}) is intact. Try a lower --lrate.");
            }

            double lr = LearningRateSchedule.ExponentialDecay(t.LearningRate, step, t.LearningRateDecay * 1000);
            adam.Step(lr);
            step++;
            double elapsed = elapsedBefore + watch.Elapsed.TotalSeconds;
            if (t.LogEvery > 0 && (step % t.LogEvery == 0 || step == t.Steps || step == 1))
            {
                metrics.Append(new MetricsRecord(step, elapsed, loss.Loss, loss.Psnr, lr, loss.MseCoarse, -10 * Math.Log10(loss.MseCoarse)));
            }

            OnProgress?.Invoke(new TrainingProgress(step, t.Steps, loss, lr, elapsed, watch.Elapsed.TotalSeconds, step - sessionStart));
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

        double total = elapsedBefore + watch.Elapsed.TotalSeconds;
        if (interrupted && step > sessionStart)
        {
            lastCheckpoint = SaveCheckpoint(total);
        }

        return new TrainingResult(step, loss, total, lastCheckpoint ?? checkpoints.LatestPath(), interrupted);
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
        };
        string path = checkpoints.Save(model.Parameters, adam, step, meta);
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
