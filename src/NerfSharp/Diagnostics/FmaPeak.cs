using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Diagnostics;

/// <summary>
/// The machine's measured FP32 peak: 12 independent FMA chains held in registers (no memory traffic), in the widest
/// vector type the hardware accelerates (Vector512, else Vector256, else scalar), run for about
/// <c>seconds</c> on one thread and then on every processor at once. 2 FLOP per lane per FMA. What the cores really
/// deliver (clock under vector load, half-width AVX-512 units, SMT siblings sharing pipes, other processes), instead of
/// an assumed FLOP/cycle x clock.
/// </summary>
public static class FmaPeak
{
    private const int Chains = 12;

    /// <summary>Measures the single-thread and all-processor FP32 FMA throughput.</summary>
    public static FmaPeakResult Measure(double seconds = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1;
        double flopPerIteration = Chains * lanes * 2.0;

        // Warm up (JIT to the optimised code) and size the run so that one thread takes about `seconds`.
        Run(10_000);
        long iterations = 1_000_000;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            Run(iterations);
            double t = sw.Elapsed.TotalSeconds;
            if (t >= seconds / 4)
            {
                iterations = Math.Max(1, (long)(iterations * seconds / t));
                break;
            }

            iterations *= 4;
        }

        var (single, singleCpu) = Timed(1, iterations);
        int threads = Environment.ProcessorCount;
        double all = threads == 1 ? single : Timed(threads, iterations).Wall;
        double flop = flopPerIteration * iterations;
        return new FmaPeakResult(
            flop / single / 1e9,
            flop * threads / all / 1e9,
            threads,
            lanes == 16 ? "Vector512" : lanes == 8 ? "Vector256" : "scalar",
            double.IsNaN(singleCpu) || singleCpu <= 0 ? flop / single / 1e9 : flop / singleCpu / 1e9);
    }

    /// <summary>
    /// Wall time of <paramref name="threads"/> threads each running <paramref name="iterations"/> iterations, and the
    /// CPU time of the slowest thread (NaN where thread CPU time is not available).
    /// </summary>
    private static (double Wall, double Cpu) Timed(int threads, long iterations)
    {
        var workers = new Thread[threads];
        var cpu = new double[threads];
        using var start = new ManualResetEventSlim(false);
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                start.Wait();
                double c0 = CpuTime.Thread();
                Run(iterations);
                cpu[index] = CpuTime.Thread() - c0;
            });
            workers[t].Start();
        }

        var sw = Stopwatch.StartNew();
        start.Set();
        foreach (Thread w in workers)
        {
            w.Join();
        }

        return (sw.Elapsed.TotalSeconds, cpu.Max());
    }

    private static float Run(long n) =>
        Vector512.IsHardwareAccelerated ? Chains512(n) : Vector256.IsHardwareAccelerated ? Chains256(n) : ChainsScalar(n);

    /// <summary>c_i = c_i * m + a in 12 independent chains: each FMA depends only on its own chain's previous one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(long n)
    {
        var m = Vector512.Create(0.999f);
        var a = Vector512.Create(1e-6f);
        Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < n; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }

        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(long n)
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

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float ChainsScalar(long n)
    {
        const float m = 0.999f, a = 1e-6f;
        float c0 = 1f, c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < n; i++)
        {
            c0 = MathF.FusedMultiplyAdd(c0, m, a); c1 = MathF.FusedMultiplyAdd(c1, m, a);
            c2 = MathF.FusedMultiplyAdd(c2, m, a); c3 = MathF.FusedMultiplyAdd(c3, m, a);
            c4 = MathF.FusedMultiplyAdd(c4, m, a); c5 = MathF.FusedMultiplyAdd(c5, m, a);
            c6 = MathF.FusedMultiplyAdd(c6, m, a); c7 = MathF.FusedMultiplyAdd(c7, m, a);
            c8 = MathF.FusedMultiplyAdd(c8, m, a); c9 = MathF.FusedMultiplyAdd(c9, m, a);
            c10 = MathF.FusedMultiplyAdd(c10, m, a); c11 = MathF.FusedMultiplyAdd(c11, m, a);
        }

        return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
    }
}

/// <summary>
/// Measured FP32 throughput in GFLOP/s: one thread and <see cref="Threads"/> threads (one per processor) at once, by
/// wall time (what the machine delivers now, other processes included); and <see cref="CoreGflops"/>, one thread's
/// FLOPs per second of its own CPU time (what a core delivers while it runs the thread: the peak to compare a
/// kernel's FLOPs per CPU second with on a shared machine).
/// </summary>
public sealed record FmaPeakResult(double SingleThreadGflops, double AllThreadsGflops, int Threads, string Vector, double CoreGflops)
{
    /// <summary>Measured peak for <paramref name="threads"/> threads: the all-processor figure scaled down, never above it.</summary>
    public double ForThreads(int threads) =>
        threads <= 1 ? SingleThreadGflops : Math.Min(AllThreadsGflops, AllThreadsGflops * threads / Threads);

    /// <summary>rate / peak as a percentage, clamped to 100 (a loaded machine can make the measured peak low).</summary>
    public static double Percent(double rate, double peak) => peak > 0 ? Math.Min(100, 100 * rate / peak) : 0;
}
