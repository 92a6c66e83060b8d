using System.Diagnostics;
using System.Globalization;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Diagnostics;
using NerfSharp.Encodings;
using NerfSharp.Evaluation;
using NerfSharp.Models;
using NerfSharp.Modules;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Runs;
using NerfSharp.Training;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf bench --model ngp|nerfacto</c>: one time-budgeted training run of the model on lego_400, scored on a fixed
/// subset of val views (every 25th: r_0, r_25, r_50, r_75) at 15 s, 30 s, 1, 2, 5 and 10 minutes of training (scoring time
/// is not counted); where a training step's time goes; render seconds per 400x400 frame; for ngp also the kernels alone:
/// hash-encoding points/s forward+backward and MLP GFLOP/s against the measured FP32 peak.
/// </summary>
public static class TimedTrainingBenchmark
{
    private static readonly double[] Marks = [15, 30, 60, 120, 300, 600];

    public static int Run(string modelName, string data, double minutes, IReadOnlyList<KeyValuePair<string, string>> flags, CliContext ctx)
    {
        using var scratch = new ScratchDirectory($"nerf-bench-{modelName}");
        string temp = scratch.Path;
        double budget = minutes * 60;
        RunConfig config = ModelPresets.Defaults(modelName) with { OutputDir = Path.Combine(temp, "run") };
        config = config with
        {
            Data = config.Data with { DataDir = Path.GetFullPath(data), TestSkip = 25 },
            Trainer = config.Trainer with { Steps = int.MaxValue, TimeBudgetSeconds = budget, LogEvery = 0, CheckpointEvery = 0 },
        };
        config = RunConfigResolver.ApplyFlags(config, flags);
        var loadWatch = Stopwatch.StartNew();
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        DataParserOutput val = DatasetLoader.Load(config.Data, "val");
        double loadSeconds = loadWatch.Elapsed.TotalSeconds;
        config = ModelFactory.ResolveForData(config, train);
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        ModelFactory.AttachData(model, train);
        var trainer = new Trainer(config, model, train) { BudgetClockStart = DateTime.UtcNow };
        trainer.Initialize();
        ctx.Out.WriteLine($"bench {modelName}: lego_400 ({train.Count} train images {train.Images[0].Width}x{train.Images[0].Height}, loaded in {loadSeconds:F1} s), " +
            $"{budget:F0} s of training, val views {string.Join(", ", val.ImagePaths.Select(Path.GetFileNameWithoutExtension))}");
        ctx.Out.WriteLine("  seconds  step   val PSNR  SSIM    samples/ray");
        int next = 0;
        var marks = Marks.Where(m => m <= budget + 1e-9).ToList();
        if (marks.Count == 0 || marks[^1] < budget)
        {
            marks.Add(budget);
        }

        void Score(double seconds)
        {
            EvaluationResult r = Evaluator.Evaluate(model, val, config.Trainer.Chunk, outputDir: null);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {seconds,7:F0}  {trainer.Step,5}  {r.Psnr,8:F2}  {r.Ssim,6:F4}  {model.LastStep.SamplesPerRay,8:F1}"));
        }

        trainer.BeforeStepHook = (step, seconds) =>
        {
            while (next < marks.Count && seconds >= marks[next])
            {
                Score(marks[next]);
                next++;
            }
        };
        TrainingResult result = trainer.Run(ctx.Cancel);
        while (next < marks.Count)
        {
            Score(marks[next]);
            next++;
        }

        var (samples, stepSeconds, phases) = model switch
        {
            NgpModel ngp => (ngp.Times.Samples, ngp.Times.GridUpdate + ngp.Times.March + ngp.Times.FieldForward + ngp.Times.Composite + ngp.Times.Backward, ngp.Times.ToString()),
            NerfactoModel nerfacto => (nerfacto.Times.Samples, nerfacto.Times.Total, nerfacto.Times.ToString()),
            _ => throw new ArgumentException($"bench times ngp and nerfacto, not {modelName}"),
        };
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training: {result.Step} steps, {samples / (double)Math.Max(1, result.Step):F0} samples/step, " +
            $"{samples / Math.Max(1e-9, result.ElapsedSeconds) / 1e6:F2} M samples/s forward+backward over the whole step (optimizer included)"));
        ctx.Out.WriteLine($"time per phase: {phases}; optimizer and ray generation: {result.ElapsedSeconds - stepSeconds:F1}s");

        if (model is NgpModel)
        {
            KernelRates(config, ctx);
        }

        var renderer = new ImageRenderer(model, config.Trainer.Chunk, val.Background.ToRgb());
        var watch = Stopwatch.StartNew();
        int frames = Math.Min(3, val.Count);
        for (int i = 0; i < frames; i++)
        {
            renderer.Render(val.Cameras[i], val.Near, val.Far);
        }

        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"render: {watch.Elapsed.TotalSeconds / frames:F2} s per {val.Images[0].Width}x{val.Images[0].Height} frame ({frames} frames){(model is NgpModel g ? $", occupancy {g.Grid.OccupiedFraction:P1}" : string.Empty)}"));
        ctx.Out.WriteLine($"peak RSS: {ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0):F0} MiB");
        return 0;
    }

    /// <summary>The field's kernels alone on 2^18 points along random rays: hash encoding and the two MLPs.</summary>
    private static void KernelRates(RunConfig config, CliContext ctx)
    {
        const int n = 1 << 18;
        var store = new ParameterStore();
        var ngp = config.Ngp;
        var encoding = new HashGridEncoding(new HashGridConfig(ngp.HashLevels, ngp.HashFeaturesPerLevel, ngp.Log2HashmapSize, ngp.BaseResolution, ngp.ResolvedMaxResolution()), store, "enc");
        var density = new Mlp(MlpPresets.NgpDensity(encoding.OutputWidth), store, "density");
        var color = new Mlp(MlpPresets.NgpColor(), store, "color");
        store.Freeze();
        var rng = new Rng(7);
        encoding.Initialize(rng);
        density.Initialize(rng);
        color.Initialize(rng);

        // Runs of 32 neighbouring points along random rays, as a batch of marched samples.
        var points = new float[3 * n];
        for (int r = 0; r < n / 32; r++)
        {
            float x = rng.NextFloat(), y = rng.NextFloat(), z = rng.NextFloat();
            float dx = (rng.NextFloat() - 0.5f) * 0.005f, dy = (rng.NextFloat() - 0.5f) * 0.005f, dz = (rng.NextFloat() - 0.5f) * 0.005f;
            for (int k = 0; k < 32; k++)
            {
                int i = (r * 32) + k;
                points[i] = Math.Clamp(x + (k * dx), 0f, 1f);
                points[n + i] = Math.Clamp(y + (k * dy), 0f, 1f);
                points[(2 * n) + i] = Math.Clamp(z + (k * dz), 0f, 1f);
            }
        }

        var encoded = new float[encoding.OutputWidth * n];
        var dEncoded = new float[encoding.OutputWidth * n];
        ModuleContext encCtx = encoding.CreateContext(n);
        double encSeconds = Best(3, () =>
        {
            encoding.Forward(points, n, encoded, encCtx);
            encoding.Backward(encCtx, encoded, []);
        });
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hash encoding ({ngp.HashLevels} levels x {ngp.HashFeaturesPerLevel}, 2^{ngp.Log2HashmapSize} table): {n / encSeconds / 1e6:F2} M points/s forward+backward " +
            $"({n * ngp.HashLevels * 8 * 2 / encSeconds / 1e6:F0} M corner lookups+scatters/s)"));

        var geo = new float[16 * n];
        var dGeo = new float[16 * n];
        var colorIn = new float[31 * n];
        var rgb = new float[3 * n];
        var dColorIn = new float[31 * n];
        ModuleContext dCtx = density.CreateContext(n), cCtx = color.CreateContext(n);
        double mlpSeconds = Best(3, () =>
        {
            density.Forward(encoded, n, geo, dCtx);
            color.Forward(colorIn, n, rgb, cCtx);
            color.Backward(cCtx, rgb, dColorIn);
            density.Backward(dCtx, geo, dEncoded);
        });
        double flop = 3.0 * 2.0 * n * (density.MacsPerItem + color.MacsPerItem);
        FmaPeakResult peak = FmaPeak.Measure();
        double rate = flop / mlpSeconds / 1e9;
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MLPs (density 32-64-16, colour 31-64-64-3, no bias): {rate:F1} GFLOP/s forward+backward = {FmaPeakResult.Percent(rate, peak.AllThreadsGflops):F0}% of the measured " +
            $"{peak.AllThreadsGflops:F0} GFLOP/s FP32 peak ({peak.Vector} FMA loop, {peak.Threads} threads); {n / mlpSeconds / 1e6:F2} M points/s"));
    }

    private static double Best(int repeats, Action action)
    {
        action();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var w = Stopwatch.StartNew();
            action();
            best = Math.Min(best, w.Elapsed.TotalSeconds);
        }

        return best;
    }
}
