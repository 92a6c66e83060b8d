using System.Diagnostics;
using System.Globalization;
using NerfSharp.Encodings;
using NerfSharp.Kernels;
using NerfSharp.Modules;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Bench;

/// <summary>
/// The hash encoding (instant-ngp's default config: 16 levels x 2 features, 2^19 entries, resolutions 16..2048) on
/// 2^18 points laid out like a training batch: runs of 32 points along random segments through [0,1]^3 (samples of
/// one ray are neighbours). Prints best-of-N wall times and points/s for forward, backward (parameter gradients only,
/// and with position gradients) and forward+backward, on 1 and 2 threads, and the corner-lookup rate
/// (L x 8 lookups per point in forward; L x 8 scatter-adds in backward).
/// <c>bench hashgrid [levels] [points] [repeats] [log2 table size]</c> (levels: each level alone).
/// </summary>
public static class HashGridBenchmark
{
    public static void Run(string[] args)
    {
        bool perLevel = args.Length > 0 && args[0] == "levels";
        if (perLevel)
        {
            args = args[1..];
        }

        int points = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1 << 18;
        int repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var config = args.Length > 2 ? new HashGridConfig(Log2TableSize: int.Parse(args[2], CultureInfo.InvariantCulture)) : new HashGridConfig();
        var store = new ParameterStore();
        var enc = new HashGridEncoding(config, store, "grid");
        store.Freeze();
        enc.Initialize(new Rng(1));
        float[] input = RayPoints(points, 32, new Rng(2));
        float[] output = new float[enc.OutputWidth * points];
        float[] dOut = new float[enc.OutputWidth * points];
        var rng = new Rng(3);
        for (int i = 0; i < dOut.Length; i++)
        {
            dOut[i] = (2 * rng.NextFloat()) - 1;
        }

        float[] dIn = new float[3 * points];
        ModuleContext ctx = enc.CreateContext(points);
        double lookups = (double)points * config.Levels * 8;
        Console.WriteLine(
            $"hashgrid: {config.Levels} levels x {config.FeaturesPerLevel} features, 2^{config.Log2TableSize} entries max " +
            $"({enc.TotalEntries * config.FeaturesPerLevel * 4 / 1e6:F0} MB), {points} points in runs of 32 along random rays, " +
            $"path {SimdPaths.Best}, backward split at level {enc.BackwardSplit}, best of {repeats}");
        if (perLevel)
        {
            PerLevel(enc, store, input, points, dOut, dIn, repeats);
            return;
        }

        Console.WriteLine("  (wall: best wall time; cpu: best CPU time of the process, which excludes time the shared machine took the cores away)");
        foreach (int threads in new[] { 1, 2 })
        {
            enc.Threads = threads;
            var f = Best(repeats, () => enc.Forward(input, points, output, ctx));
            var b = Best(repeats, () => enc.Backward(ctx, dOut, default));
            var bi = Best(repeats, () => enc.Backward(ctx, dOut, dIn));
            var fb = Best(repeats, () =>
            {
                enc.Forward(input, points, output, ctx);
                enc.Backward(ctx, dOut, default);
            });
            Console.WriteLine($"  {threads} thread(s):");
            Console.WriteLine($"    forward          wall {f.Wall * 1e3,6:F1} ms = {points / f.Wall / 1e6,5:F2} M points/s ({lookups / f.Wall / 1e6,4:F0} M lookups/s); cpu {f.Cpu * 1e3,6:F1} ms = {lookups / f.Cpu / 1e6,4:F0} M lookups/s per busy core");
            Console.WriteLine($"    backward         wall {b.Wall * 1e3,6:F1} ms = {points / b.Wall / 1e6,5:F2} M points/s ({lookups / b.Wall / 1e6,4:F0} M scatter-adds/s); cpu {b.Cpu * 1e3,6:F1} ms = {lookups / b.Cpu / 1e6,4:F0} M scatter-adds/s per busy core");
            Console.WriteLine($"    backward + dL/dx wall {bi.Wall * 1e3,6:F1} ms = {points / bi.Wall / 1e6,5:F2} M points/s; cpu {bi.Cpu * 1e3,6:F1} ms");
            Console.WriteLine($"    fwd+bwd          wall {fb.Wall * 1e3,6:F1} ms = {points / fb.Wall / 1e6,5:F2} M points/s = {fb.Wall * 1e9 * threads / points,5:F0} ns per point per thread; cpu {fb.Cpu * 1e3,6:F1} ms = {fb.Cpu * 1e9 / points,5:F0} ns per point per busy core");
        }

        store.ZeroGradients();
    }

    /// <summary>Each level alone on one thread (a worker over that level only): CPU ms of forward, backward, backward with dL/dx.</summary>
    private static void PerLevel(HashGridEncoding enc, ParameterStore store, float[] input, int points, float[] dOut, float[] dIn, int repeats)
    {
        float[] values = store.ValuesOf(enc.Embeddings).ToArray();
        float[] grads = new float[values.Length];
        float[] output = new float[2 * points];
        float[] scratch = new float[3 * points];
        double total = 0;
        for (int l = 0; l < enc.LevelLayout.Count; l++)
        {
            var worker = new HashGridWorker([enc.LevelLayout[l]], enc.Config.FeaturesPerLevel, 1);
            var f = Best(repeats, () => worker.Forward(values, input, points, output, 1, SimdPath.Auto));
            var b = Best(repeats, () => worker.Backward(values, grads, input, points, dOut, default, scratch, 1, SimdPath.Auto));
            var bi = Best(repeats, () => worker.Backward(values, grads, input, points, dOut, dIn, scratch, 1, SimdPath.Auto));
            total += f.Cpu + b.Cpu;
            Console.WriteLine(
                $"  level {l,2} (T {enc.LevelLayout[l].TableSize,6}, {(enc.LevelLayout[l].Dense ? "dense " : "hashed")}): forward {f.Cpu * 1e3,5:F2} ms, " +
                $"backward {b.Cpu * 1e3,5:F2} ms, backward + dL/dx {bi.Cpu * 1e3,5:F2} ms (CPU, 1 thread)");
        }

        Console.WriteLine($"  sum of forward + backward: {total * 1e3:F1} ms");
    }

    /// <summary>[3][count] points: runs of <paramref name="run"/> stratified samples on the segment between two random points of the cube.</summary>
    public static float[] RayPoints(int count, int run, Rng rng)
    {
        var p = new float[3 * count];
        for (int start = 0; start < count; start += run)
        {
            Span<float> a = [rng.NextFloat(), rng.NextFloat(), rng.NextFloat()];
            Span<float> b = [rng.NextFloat(), rng.NextFloat(), rng.NextFloat()];
            int n = Math.Min(run, count - start);
            for (int k = 0; k < n; k++)
            {
                float t = (k + rng.NextFloat()) / n;
                for (int d = 0; d < 3; d++)
                {
                    p[(d * count) + start + k] = a[d] + (t * (b[d] - a[d]));
                }
            }
        }

        return p;
    }

    private static (double Wall, double Cpu) Best(int repeats, Action action)
    {
        action();
        action();
        double wall = double.MaxValue, cpu = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            double c0 = CpuTime.Process();
            var sw = Stopwatch.StartNew();
            action();
            wall = Math.Min(wall, sw.Elapsed.TotalSeconds);
            cpu = Math.Min(cpu, CpuTime.Process() - c0);
        }

        return (wall, cpu);
    }
}
