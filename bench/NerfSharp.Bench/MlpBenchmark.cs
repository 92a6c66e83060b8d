using NerfSharp.Parameters;
using System.Diagnostics;
using NerfSharp.Kernels;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Training;

namespace NerfSharp.Bench;

/// <summary>
/// End-to-end NerfMlp (nerf-pytorch 8x256 config) forward + backward on 65536 points, no input gradient.
/// FLOPs are counted as nerf-pytorch's training-step estimate does: 2 * in * out per point per layer for the
/// forward, times 3 for forward + weight gradient + input gradient (the "nominal" count; the input gradients of the
/// network inputs are not computed, so the work actually performed is ~2% less, printed too).
/// Peak = the measured FMA peak (<see cref="FmaPeak"/>) for that many threads; efficiencies are clamped to 100%.
/// </summary>
public static class MlpBenchmark
{
    public static void Run(string[] args)
    {
        int points = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 65536;
        int repeats = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var config = new NerfMlpConfig();
        var store = new ParameterStore();
        var mlp = new NerfMlp(config, store, "coarse");
        store.Freeze();
        mlp.Initialize(new Rng(7));
        var rng = new Rng(11);
        float[] input = new float[mlp.InputWidth * points];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (2 * rng.NextFloat()) - 1;
        }

        float[] output = new float[NerfMlp.OutputWidth * points];
        float[] dOutput = new float[NerfMlp.OutputWidth * points];
        for (int i = 0; i < dOutput.Length; i++)
        {
            dOutput[i] = (2 * rng.NextFloat()) - 1;
        }

        long macsPerPoint = 0, skippedPerPoint = 0;
        foreach (ParameterTensor t in store.Tensors)
        {
            if (t.Shape.Length == 2)
            {
                macsPerPoint += (long)t.Shape[0] * t.Shape[1];
            }
        }

        // Input gradients not computed: layer 0 (all), the skip layer's input_pts columns, the views layer's view columns.
        skippedPerPoint = ((long)config.Width * config.PointChannels * 2) + ((long)(config.Width / 2) * config.ViewChannels);
        double nominal = 3.0 * 2.0 * macsPerPoint * points;
        double performed = nominal - (2.0 * skippedPerPoint * points);
        FmaPeakResult fma = FmaPeak.Measure();
        Console.WriteLine($"mlp: NerfMlp 8x256 (skip 4, view dirs), {points} points, forward+backward, path {SimdPaths.Best}, tiles of {NerfMlpWorkspace.TilePoints}");
        Console.WriteLine($"  FLOPs: nominal 3 x 2 x {macsPerPoint} per point = {nominal / 1e9:F1} GFLOP per pass; performed (no network-input gradient) {performed / 1e9:F1} GFLOP");
        Console.WriteLine($"  measured peak ({fma.Vector} FMA loop): {fma.SingleThreadGflops:F0} GFLOP/s on 1 thread, {fma.AllThreadsGflops:F0} on {fma.Threads}");
        foreach (int threads in new[] { 1, ParallelJob.DefaultParts }.Distinct())
        {
            NerfMlpWorkspace ws = mlp.CreateWorkspace(points, threads);
            var timing = ForwardBackwardTiming.Best(repeats, () => mlp.Forward(input, points, output, ws), () => mlp.Backward(ws, dOutput, default));
            double bestF = timing.Forward, bestB = timing.Backward, bestT = timing.Total, bestCpu = timing.Cpu;

            double peak = fma.ForThreads(ws.Threads);
            double rate = nominal / bestT / 1e9;
            Console.WriteLine(
                $"  {ws.Threads} thread(s): forward {bestF * 1e3:F0} ms, backward {bestB * 1e3:F0} ms, fwd+bwd {bestT * 1e3:F0} ms = " +
                $"{rate:F1} GFLOP/s nominal = {FmaPeakResult.Percent(rate, peak):F1}% of measured peak {peak:F0} ({performed / bestT / 1e9:F1} performed); " +
                $"per busy core (CPU time {bestCpu * 1e3:F0} ms): {FmaPeakResult.Percent(nominal / bestCpu / 1e9, fma.CoreGflops):F1}% of measured core peak");
        }

        GemmBenchmark.RunLayer(points, fma);
        Console.WriteLine("  GEMM micro-kernels alone (cache-resident 256x256 layer, best of 200 by thread CPU time, 1 thread):");
        KernelProbe.Run(1, fma: fma);
    }
}
