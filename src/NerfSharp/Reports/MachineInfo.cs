using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NerfSharp.Reports;

/// <summary>The machine a report was written on: CPU model, logical cores, widest accelerated vector, OS and runtime.</summary>
public sealed record MachineInfo(string CpuModel, int LogicalCores, int SimdWidthBits, string InstructionSets, string OperatingSystem, string Runtime)
{
    public static MachineInfo Current()
    {
        int simd = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        var sets = new List<string>();
        if (Avx512F.IsSupported)
        {
            sets.Add("AVX-512F");
        }

        if (Avx2.IsSupported)
        {
            sets.Add("AVX2");
        }

        if (Fma.IsSupported)
        {
            sets.Add("FMA");
        }

        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            sets.Add("NEON");
        }

        return new MachineInfo(ReadCpuModel(), Environment.ProcessorCount, simd, sets.Count > 0 ? string.Join(", ", sets) : "none", RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }

    /// <summary>The "model name" line of /proc/cpuinfo, else the processor architecture.</summary>
    private static string ReadCpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                    {
                        return line[(line.IndexOf(':') + 1)..].Trim();
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
