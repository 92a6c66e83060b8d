using System.Diagnostics;
using NerfSharp.Kernels;

namespace NerfSharp.Bench;

/// <summary>
/// GEMM-only benchmark: a 256 -> 256 linear layer over points in tiles (the MLP's working layout), running the
/// forward product (bias + ReLU), the input-gradient product (ReLU mask) and the weight-gradient product,
/// on one thread and on all processors. FLOPs: 2 * in * out per point for each product.
/// </summary>
public static class GemmBenchmark
{
    public static void Run(string[] args)
    {
        int tile = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 96;
        int points = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 65536;
        Run(points, tile, FmaPeak.Measure(), verbose: true);
    }

    /// <summary>The GEMM-only line of the mlp benchmark: one 256x256 layer's three products, all threads.</summary>
    public static void RunLayer(int points, FmaPeakResult fma) => Run(points, 96, fma, verbose: false);

    private static void Run(int points, int tile, FmaPeakResult fma, bool verbose)
    {
        const int width = 256;
        int blocks = BlockedLayout.BlockCount(width);
        int stride = BlockedLayout.BlockStride(tile);
        int tiles = (points + tile - 1) / tile;
        int tileFloats = blocks * stride;
        var rng = new Random(1);
        float[] x = new float[tiles * tileFloats];
        float[] y = new float[tiles * tileFloats];
        float[] dx = new float[tiles * tileFloats];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextDouble() - 0.3f;
            y[i] = (float)rng.NextDouble() - 0.3f;
        }

        float[] panels = new float[WeightPacking.PackedLength(width, [width])];
        for (int i = 0; i < panels.Length; i++)
        {
            panels[i] = ((float)rng.NextDouble() - 0.5f) * 0.1f;
        }

        float[] bias = new float[width];
        double flop = 2.0 * width * width * points;
        if (verbose)
        {
            Console.WriteLine($"gemm {width}x{width}, {points} points in tiles of {tile}, path {SimdPaths.Best}, measured peak {fma.SingleThreadGflops:F0} GFLOP/s on 1 thread, {fma.AllThreadsGflops:F0} on {fma.Threads}");
        }

        foreach (int parts in verbose ? new[] { 1, ParallelJob.DefaultParts } : [ParallelJob.DefaultParts])
        {
            var job = new LayerJob(x, y, dx, panels, bias, tiles, tile, points, blocks, stride, parts);
            double sum = 0, sumCpu = 0;
            foreach (string product in new[] { "forward", "input-gradient", "weight-gradient" })
            {
                job.Product = product;
                job.Run(parts);
                double best = double.MaxValue, bestCpu = double.MaxValue;
                for (int r = 0; r < Math.Max(5, 5 * 65536 / points); r++)
                {
                    double cpu0 = CpuTime.Process();
                    var sw = Stopwatch.StartNew();
                    job.Run(parts);
                    best = Math.Min(best, sw.Elapsed.TotalSeconds);
                    bestCpu = Math.Min(bestCpu, CpuTime.Process() - cpu0);
                }

                sum += best;
                sumCpu += bestCpu;
                double gflops = flop / best / 1e9;
                double peak = fma.ForThreads(parts);
                if (verbose)
                {
                    Console.WriteLine($"  {parts} thread(s) {product,-16} {best * 1e3,8:F1} ms {gflops,7:F1} GFLOP/s  {FmaPeakResult.Percent(gflops, peak),5:F1}% of measured peak {peak:F0}; per busy core {FmaPeakResult.Percent(flop / bestCpu / 1e9, fma.CoreGflops):F1}%");
                }
            }

            double total = 3 * flop / sum / 1e9;
            Console.WriteLine($"  GEMM-only: one 256x256 layer, forward + input gradient + weight gradient on {points} points, {parts} thread(s): " +
                $"{total:F1} GFLOP/s = {FmaPeakResult.Percent(total, fma.ForThreads(parts)):F1}% of measured peak {fma.ForThreads(parts):F0}; per busy core {FmaPeakResult.Percent(3 * flop / sumCpu / 1e9, fma.CoreGflops):F1}%");
        }
    }

    private sealed class LayerJob(float[] x, float[] y, float[] dx, float[] panels, float[] bias, int tiles, int tile, int points, int blocks, int stride, int parts) : ParallelJob
    {
        private readonly float[][] partials = Enumerable.Range(0, parts).Select(_ => new float[256 * 256]).ToArray();

        public string Product { get; set; } = "forward";

        protected override void Execute(int part, int partCount)
        {
            int t0 = (int)((long)tiles * part / partCount), t1 = (int)((long)tiles * (part + 1) / partCount);
            int tileFloats = blocks * stride;
            for (int t = t0; t < t1; t++)
            {
                int n = Math.Min(tile, points - (t * tile));
                var xt = x.AsSpan(t * tileFloats, tileFloats);
                var yt = y.AsSpan(t * tileFloats, tileFloats);
                switch (Product)
                {
                    case "forward":
                        BlockedGemm.Forward(xt, stride, blocks, panels, bias, yt, stride, blocks, n, relu: true);
                        break;
                    case "input-gradient":
                        BlockedGemm.InputGradient(yt, stride, blocks, panels, dx.AsSpan(t * tileFloats, tileFloats), stride, blocks, n, false, xt, stride);
                        break;
                    default:
                        BlockedGemm.WeightGradient(yt, stride, blocks, xt, stride, blocks, n, partials[part], 256);
                        break;
                }
            }
        }
    }
}
