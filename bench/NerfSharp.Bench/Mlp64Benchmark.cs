using System.Diagnostics;
using NerfSharp.Kernels;
using NerfSharp.Modules;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Bench;

/// <summary>
/// The Instant-NGP networks (<see cref="MlpPresets.NgpDensity"/> and <see cref="MlpPresets.NgpColor"/>, width 64) on
/// 2^18 items: forward, then backward with input gradients (as a hash-grid model needs them), on one thread and on
/// every processor. FLOPs: 2 x in x out per item per layer (unpadded) for each of the forward, weight-gradient and
/// input-gradient products (3 x forward), against the measured FMA peak.
/// </summary>
public static class Mlp64Benchmark
{
    public static void Run(string[] args)
    {
        int items = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1 << 18;
        int repeats = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        FmaPeakResult fma = FmaPeak.Measure();
        Console.WriteLine($"mlp64: {items} items, forward + backward (with input gradients), path {SimdPaths.Best}, tiles of {MlpContext.TilePoints}");
        Console.WriteLine($"  measured peak ({fma.Vector} FMA loop): {fma.SingleThreadGflops:F0} GFLOP/s on 1 thread, {fma.AllThreadsGflops:F0} on {fma.Threads} (wall time); one core {fma.CoreGflops:F0} per second of its CPU time");
        foreach (var (name, config) in new[] { ("NgpDensity 32->64->16", MlpPresets.NgpDensity()), ("NgpColor 31->64->64->3", MlpPresets.NgpColor()) })
        {
            var store = new ParameterStore();
            var mlp = new Mlp(config, store, "net");
            store.Freeze();
            mlp.Initialize(new Rng(7));
            var rng = new Rng(11);
            float[] input = new float[mlp.InputWidth * items];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = (2 * rng.NextFloat()) - 1;
            }

            float[] output = new float[mlp.OutputWidth * items];
            float[] dOutput = new float[mlp.OutputWidth * items];
            float[] dInput = new float[mlp.InputWidth * items];
            for (int i = 0; i < dOutput.Length; i++)
            {
                dOutput[i] = (2 * rng.NextFloat()) - 1;
            }

            double flop = 3.0 * 2.0 * mlp.MacsPerItem * items;
            foreach (int threads in new[] { 1, ParallelJob.DefaultParts }.Distinct())
            {
                ModuleContext ctx = mlp.CreateContext(items, threads);
                var timing = ForwardBackwardTiming.Best(repeats, () => mlp.Forward(input, items, output, ctx), () => mlp.Backward(ctx, dOutput, dInput));
                double bestF = timing.Forward, bestB = timing.Backward, bestT = timing.Total, bestCpu = timing.Cpu;

                double rate = flop / bestT / 1e9, peak = fma.ForThreads(threads);
                Console.WriteLine(
                    $"  {name,-24} {threads} thread(s): forward {bestF * 1e3:F1} ms ({flop / 3 / bestF / 1e9:F1} GFLOP/s), backward {bestB * 1e3:F1} ms ({2 * flop / 3 / bestB / 1e9:F1}), " +
                    $"fwd+bwd {bestT * 1e3:F1} ms = {rate:F1} GFLOP/s = {FmaPeakResult.Percent(rate, peak):F0}% of measured peak {peak:F0}; {bestT * 1e9 / items:F1} ns/item; " +
                    $"CPU time {bestCpu * 1e3:F0} ms = {flop / bestCpu / 1e9:F1} GFLOP/s per busy core ({FmaPeakResult.Percent(flop / bestCpu / 1e9, fma.CoreGflops):F0}% of the measured core peak {fma.CoreGflops:F0} per CPU second)");
            }
        }
    }
}
