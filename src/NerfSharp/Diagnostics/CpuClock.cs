using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace NerfSharp.Diagnostics;

/// <summary>
/// Measures the core clock while busy: a chain of dependent integer adds and xors retires one operation per
/// cycle on every x86 core, so operations / thread CPU seconds = cycles / second (CPU time, so that other
/// processes sharing the machine do not bias it). Taken over several tries (max), on one thread.
/// </summary>
public static class CpuClock
{
    public static double MeasureGHz()
    {
        const long iterations = 50_000_000;
        Chain(1_000_000, 3); // jit + warm up
        double best = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            double t0 = CpuTime.Thread();
            var sw = Stopwatch.StartNew();
            long r = Chain(iterations, attempt + 1);
            double s = CpuTime.Thread() - t0;
            if (double.IsNaN(s))
            {
                s = sw.Elapsed.TotalSeconds;
            }

            GC.KeepAlive(r);
            best = Math.Max(best, iterations * 8 / s / 1e9);
        }

        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Chain(long n, long a)
    {
        long x = 0;
        for (long i = 0; i < n; i++)
        {
            x += a; x ^= i; x += a; x ^= i; x += a; x ^= i; x += a; x ^= i;
        }

        return x;
    }

    /// <summary>The clock /proc/cpuinfo reports (MHz of the first processor), or 0 if unavailable.</summary>
    public static double ReportedGHz()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("cpu MHz", StringComparison.Ordinal))
                {
                    return double.Parse(line[(line.IndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture) / 1000.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
