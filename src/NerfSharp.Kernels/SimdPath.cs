using System.Runtime.Intrinsics;

namespace NerfSharp.Kernels;

/// <summary>Which instruction-set path a kernel runs; <see cref="Auto"/> picks the widest accelerated one.</summary>
public enum SimdPath
{
    Auto,
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>Resolves <see cref="SimdPath.Auto"/> against the running processor.</summary>
public static class SimdPaths
{
    /// <summary>The widest path the hardware accelerates (honours DOTNET_EnableAVX512F=0 and similar switches).</summary>
    public static SimdPath Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512 :
        Vector256.IsHardwareAccelerated ? SimdPath.Vector256 : SimdPath.Scalar;

    /// <summary>
    /// <see cref="Best"/> for <see cref="SimdPath.Auto"/>, else the path asked for. A forced vector path that the
    /// hardware does not accelerate still computes the same result (through .NET's software fallback), only slowly:
    /// tests use that to cover every path on any machine.
    /// </summary>
    public static SimdPath Resolve(SimdPath path) => path == SimdPath.Auto ? Best : path;
}
