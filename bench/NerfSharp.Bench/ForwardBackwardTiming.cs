using System.Diagnostics;
using NerfSharp.Diagnostics;

namespace NerfSharp.Bench;

/// <summary>Best-of-N wall and CPU times of a forward then backward pass (the first run is a warm-up and not counted).</summary>
internal readonly record struct ForwardBackwardTiming(double Forward, double Backward, double Total, double Cpu)
{
    public static ForwardBackwardTiming Best(int repeats, Action forward, Action backward)
    {
        double bestF = double.MaxValue, bestB = double.MaxValue, bestT = double.MaxValue, bestCpu = double.MaxValue;
        for (int r = 0; r < repeats + 1; r++)
        {
            double cpu0 = CpuTime.Process();
            var sw = Stopwatch.StartNew();
            forward();
            double f = sw.Elapsed.TotalSeconds;
            backward();
            double total = sw.Elapsed.TotalSeconds;
            double cpu = CpuTime.Process() - cpu0;
            if (r > 0)
            {
                bestF = Math.Min(bestF, f);
                bestB = Math.Min(bestB, total - f);
                bestT = Math.Min(bestT, total);
                bestCpu = Math.Min(bestCpu, cpu);
            }
        }

        return new ForwardBackwardTiming(bestF, bestB, bestT, bestCpu);
    }
}
