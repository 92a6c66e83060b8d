using NerfSharp.Kernels;

namespace NerfSharp.Bench;

/// <summary>
/// The layout conversions an MLP does at its input and output, alone: feature-major rows of 2^18 items to blocked
/// tiles of 96 and back, for 32, 16 and 3 features, by thread CPU time (best of 5). Mostly memory-bound.
/// </summary>
public static class LayoutBenchmark
{
    public static void Run()
    {
        int items = 1 << 18, tilePoints = 96, stride = BlockedLayout.BlockStride(tilePoints);
        int tiles = (items + tilePoints - 1) / tilePoints;
        float[] featureMajor = new float[32 * items];
        float[] tile = new float[2 * stride];
        for (int i = 0; i < featureMajor.Length; i++)
        {
            featureMajor[i] = i;
        }

        foreach (SimdPath path in new[] { SimdPath.Scalar, SimdPath.Auto })
        {
            foreach (int features in new[] { 32, 16, 3 })
            {
                double bestIn = double.MaxValue, bestOut = double.MaxValue;
                for (int r = 0; r < 5; r++)
                {
                    double c0 = CpuTime.Thread();
                    for (int t = 0; t < tiles; t++)
                    {
                        int p0 = t * tilePoints, n = Math.Min(tilePoints, items - p0);
                        BlockedLayout.FromFeatureMajor(featureMajor.AsSpan(p0), items, features, n, tile, stride, path);
                    }

                    double c1 = CpuTime.Thread();
                    for (int t = 0; t < tiles; t++)
                    {
                        int p0 = t * tilePoints, n = Math.Min(tilePoints, items - p0);
                        BlockedLayout.ToFeatureMajor(tile, stride, 0, features, n, featureMajor.AsSpan(p0), items, false, path);
                    }

                    double c2 = CpuTime.Thread();
                    bestIn = Math.Min(bestIn, c1 - c0);
                    bestOut = Math.Min(bestOut, c2 - c1);
                }

                Console.WriteLine($"layout {path,-6} {features,2} features: feature-major -> blocked {bestIn * 1e9 / items:F1} ns/item, blocked -> feature-major {bestOut * 1e9 / items:F1} ns/item");
            }
        }
    }
}
