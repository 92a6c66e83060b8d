using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Bench;

/// <summary>
/// The machine's attainable FMA throughput: 12 independent Vector256 FMA chains held in registers (no memory
/// traffic), on one thread and on every processor at once. Shows the real per-core peak and whether the
/// processors the OS reports scale (SMT siblings share their FMA pipes).
/// </summary>
public static class FmaPeak
{
    public static void Run(double ghz)
    {
        const long iterations = 100_000_000;
        Chains(1000);
        foreach (int threads in new[] { 1, Environment.ProcessorCount })
        {
            double best = double.MaxValue, cpuAtBest = 0;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                double cpu0 = CpuTime.Process();
                var sw = Stopwatch.StartNew();
                var workers = new Thread[threads];
                for (int t = 0; t < threads; t++)
                {
                    workers[t] = new Thread(() => Chains(iterations));
                    workers[t].Start();
                }

                foreach (Thread w in workers)
                {
                    w.Join();
                }

                if (sw.Elapsed.TotalSeconds < best)
                {
                    best = sw.Elapsed.TotalSeconds;
                    cpuAtBest = CpuTime.Process() - cpu0;
                }
            }

            double gflops = threads * iterations * 12.0 * 16 / best / 1e9;
            Console.WriteLine($"  FMA peak, {threads} thread(s): {gflops:F1} GFLOP/s = {100 * gflops / (threads * 32 * ghz):F1}% of {threads * 32 * ghz:F0} (threads x 32 FLOP/cycle x {ghz:F2} GHz); CPU time / wall time {cpuAtBest / best:F2}");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains(long n)
    {
        var m = Vector256.Create(0.999f);
        var a = Vector256.Create(1e-6f);
        Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < n; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }

        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
