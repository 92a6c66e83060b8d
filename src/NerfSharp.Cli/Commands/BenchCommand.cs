using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Data.Demo;
using NerfSharp.Diagnostics;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Training;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf bench</c>: seconds per training iteration of nerf-pytorch's lego config (1024 rays, 64 + 128 samples,
/// 8x256 MLPs, 400x400 images), with the MLP work in GFLOP/s against this machine's measured FP32 peak (<see cref="FmaPeak"/>).
/// </summary>
public static class BenchCommand
{
    /// <summary>The <c>bench</c> command.</summary>
    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.TextWithDefault("--model", "vanilla: seconds per lego-config iteration; ngp, nerfacto: val PSNR against training time on lego_400, time per phase, render time (ngp: kernel rates)", "vanilla", "vanilla|ngp|nerfacto");
        var data = CliOptions.Text("--data", "dataset (default: lego_400 under shared/data; vanilla generates a scene when it is missing)", "DIR");
        var iterations = CliOptions.Int("--iters", "timed iterations (vanilla)", 3);
        var warmup = CliOptions.Int("--warmup", "untimed iterations first (vanilla)", 1);
        var minutes = CliOptions.Double("--minutes", "training time (ngp)", 10);
        var load = CliOptions.Text("--load", "time a first and a second load of this dataset through a fresh decoded-image cache instead", "DIR");
        var command = new Command("bench", CommandHelp.Describe(
            "Benchmark training speed (vanilla) or quality against training time and kernel rates (ngp).",
            ["nerf bench", "nerf bench --model ngp --minutes 2", "nerf bench --iters 5 --netchunk 16384", "nerf bench --load ../shared/data/instant_ngp/fox --factor 2"],
            "Any config key is a flag too (--KEY VALUE, as for nerf train)."))
        {
            model, data, iterations, warmup, minutes, load,
        };
        command.AcceptConfigKeys();
        command.SetAction(parse => parse.GetValue(load) is { } loadDir
            ? LoadBenchmark.Run(loadDir, ConfigKeyArguments.Read(parse), ctx)
            : Run(
            parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(iterations), parse.GetValue(warmup), parse.GetValue(minutes),
            ConfigKeyArguments.Read(parse), ctx));
        return command;
    }

    /// <summary>Runs the benchmark of <paramref name="modelName"/>; <paramref name="flags"/> are config keys.</summary>
    public static int Run(string modelName, string? data, int iterations, int warmup, double minutes, IReadOnlyList<KeyValuePair<string, string>> flags, CliContext ctx)
    {
        RunConfigResolver.ApplyFlags(new RunConfig(), flags); // an unknown key fails now, before a dataset is loaded or generated
        if (modelName is "ngp" or "nerfacto")
        {
            return TimedTrainingBenchmark.Run(modelName, data ?? FindLego400() ?? throw new ArgumentException($"bench --model {modelName} needs lego_400: pass --data DIR"), minutes, flags, ctx);
        }

        if (modelName != "vanilla")
        {
            throw new ArgumentException($"bench knows --model vanilla, ngp and nerfacto, not '{modelName}'");
        }

        if (iterations < 1 || warmup < 0)
        {
            throw new ArgumentException($"--iters expects at least 1 and --warmup at least 0, got {iterations} and {warmup}");
        }

        using var scratch = new ScratchDirectory("nerf-bench");
        string temp = scratch.Path;
        data ??= FindLego400() ?? GenerateScene(temp, ctx);
        var config = new RunConfig
        {
            OutputDir = Path.Combine(temp, "run"),
            Data = new DataConfig { DataDir = Path.GetFullPath(data), WhiteBackground = true, TestSkip = 8 },
            Trainer = new TrainerConfig { Steps = warmup + iterations, BatchRays = 1024, LogEvery = 0, CheckpointEvery = 0, TestsetEvery = 0, VideoEvery = 0 },
        };
        config = RunConfigResolver.ApplyFlags(config, flags); // e.g. --netchunk 16384 to study chunk sizes
        DataParserOutput train = DatasetLoader.Load(config.Data, "train");
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        var times = new List<double>();
        var watch = Stopwatch.StartNew();
        trainer.OnProgress = p =>
        {
            times.Add(watch.Elapsed.TotalSeconds);
            watch.Restart();
        };
        trainer.Run();
        double[] timed = times.Skip(warmup).ToArray();
        double mean = timed.Average();
        double best = timed.Min();
        var v = config.Vanilla;
        double points = config.Trainer.BatchRays * ((double)v.Samples + (v.Samples + v.Importance));
        double flop = 3 * points * MlpForwardFlopPerPoint(v.NetWidth, v.NetDepth);
        FmaPeakResult fma = FmaPeak.Measure();
        double peak = fma.AllThreadsGflops;
        double rate = flop / best / 1e9;
        ctx.Out.WriteLine($"bench: lego config (1024 rays, {v.Samples}+{v.Importance} samples, {v.NetDepth}x{v.NetWidth} MLPs) on {train.Images[0].Width}x{train.Images[0].Height} images from {data}");
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds per iteration: mean {mean:F3}, best {best:F3} over {timed.Length} iterations ({warmup} warm-up)"));
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MLP work per iteration: {flop / 1e12:F3} TFLOP (forward + backward = 3 x forward) -> {flop / best / 1e9:F1} GFLOP/s end to end"));
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FP32 measured peak ({fma.Vector} FMA loop on {fma.Threads} threads, no memory traffic): {peak:F0} GFLOP/s ({fma.SingleThreadGflops:F0} on one thread) -> {FmaPeakResult.Percent(rate, peak):F0}% of measured peak; one core runs {fma.CoreGflops:F0} GFLOP/s per second of its CPU time, so an idle machine's peak is about {fma.Threads * fma.CoreGflops:F0} -> {FmaPeakResult.Percent(rate, fma.Threads * fma.CoreGflops):F0}% of that"));
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reference (from the issue, not measured here): nerf-pytorch on PyTorch CPU, same machine type: 14 s/iteration -> ratio {14.0 / best:F2}x"));
        ctx.Out.WriteLine($"peak RSS: {ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0):F0} MiB");
        return 0;
    }

    /// <summary>Multiply-adds x 2 of one forward pass of nerf-pytorch's MLP (63 + 27 input channels, skip at 4, views branch).</summary>
    public static double MlpForwardFlopPerPoint(int width, int depth)
    {
        double macs = 63.0 * width;
        for (int i = 1; i < depth; i++)
        {
            macs += (i == 5 ? 63 + width : width) * (double)width;
        }

        macs += (width * (double)width) + width + ((width + 27) * (width / 2.0)) + (width / 2.0 * 3);
        return 2 * macs;
    }

    private static string? FindLego400()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "nerf_synthetic", "lego_400");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            candidate = Path.Combine(dir.FullName, "..", "shared", "data", "nerf_synthetic", "lego_400");
            if (Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    private static string GenerateScene(string temp, CliContext ctx)
    {
        string dir = Path.Combine(temp, "scene");
        ctx.Error.WriteLine($"lego_400 not found; generating a 400x400 demo scene in {dir}");
        DemoSceneGenerator.Generate(dir, new DemoSceneOptions(Width: 400, Height: 400, TrainViews: 20, ValViews: 1, TestViews: 1));
        return dir;
    }
}
