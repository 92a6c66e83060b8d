using System.Runtime.InteropServices;

namespace NerfSharp.Diagnostics;

/// <summary>
/// CPU time consumed by this thread / this process (clock_gettime), in seconds. On a shared machine wall-clock time
/// includes the time other processes held the cores; CPU time does not, so FLOPs / CPU seconds measures the kernels.
/// </summary>
public static class CpuTime
{
    private const int ClockProcessCpuTimeId = 2;
    private const int ClockThreadCpuTimeId = 3;

    public static double Thread() => Read(ClockThreadCpuTimeId);

    public static double Process() => Read(ClockProcessCpuTimeId);

    private static double Read(int clock)
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(clock, out Timespec ts) != 0)
        {
            return double.NaN;
        }

        return ts.Seconds + (ts.Nanoseconds * 1e-9);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec value);
}
