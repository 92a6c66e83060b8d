using NerfSharp.Kernels;

namespace NerfSharp.Bench;

/// <summary>
/// The three products on 256x256 layers over a few tiles that stay in cache, interleaved and timed by thread CPU
/// time (best of many): what the micro-kernels reach when memory and other processes do not get in the way.
/// <c>probe L</c> cycles L layers' weights and partials per tile, as the MLP does.
/// </summary>
public static class KernelProbe
{
    public static void Run(int layers, int tiles = 8, FmaPeakResult? fma = null)
    {
        int count = 96, blocks = 16, stride = BlockedLayout.BlockStride(count);
        var rng = new Random(1);
        float[] x = new float[tiles * blocks * stride], dy = new float[tiles * blocks * stride], dx = new float[tiles * blocks * stride];
        float[][] gs = Enumerable.Range(0, layers).Select(_ => new float[256 * 256]).ToArray();
        float[][] ps = Enumerable.Range(0, layers).Select(_ => new float[256 * 256]).ToArray();
        float[] bias = new float[256];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextDouble() - 0.2f;
            dy[i] = (float)rng.NextDouble() - 0.5f;
        }

        foreach (float[] panels in ps)
        {
            for (int i = 0; i < panels.Length; i++)
            {
                panels[i] = (float)rng.NextDouble() - 0.5f;
            }
        }

        double[] best = [double.MaxValue, double.MaxValue, double.MaxValue];
        for (int r = 0; r < Math.Max(15, 1600 / tiles); r++)
        {
            for (int v = 0; v < 3; v++)
            {
                double c0 = CpuTime.Thread();
                for (int t = 0; t < tiles * layers; t++)
                {
                    int o = (t / layers) * blocks * stride;
                    float[] panels = ps[t % layers], g = gs[t % layers];
                    switch (v)
                    {
                        case 0:
                            BlockedGemm.Forward(x.AsSpan(o), stride, blocks, panels, bias, dx.AsSpan(o), stride, blocks, count, relu: true);
                            break;
                        case 1:
                            BlockedGemm.InputGradient(dy.AsSpan(o), stride, blocks, panels, dx.AsSpan(o), stride, blocks, count, false, x.AsSpan(o), stride);
                            break;
                        default:
                            BlockedGemm.WeightGradient(dy.AsSpan(o), stride, blocks, x.AsSpan(o), stride, blocks, count, g, 256);
                            break;
                    }
                }

                best[v] = Math.Min(best[v], CpuTime.Thread() - c0);
            }
        }

        double flop = 2.0 * 256 * 256 * count * tiles * layers;
        double corePeak = (fma ?? FmaPeak.Measure()).CoreGflops;
        string[] names = ["forward", "input-gradient", "weight-gradient"];
        for (int v = 0; v < 3; v++)
        {
            Console.WriteLine($"  {names[v],-16} {flop / best[v] / 1e9:F1} GFLOP/s = {FmaPeakResult.Percent(flop / best[v] / 1e9, corePeak):F1}% of the measured one-core peak {corePeak:F0} per CPU second (thread CPU time; {layers} layers' weights cycled per tile)");
        }
    }
}
