using NerfSharp.Parameters;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Training;

/// <summary>
/// The element-wise Adam update of one contiguous slice, in float32 with torch.optim.Adam's
/// single-tensor operation order (so results match PyTorch's CPU kernels up to rounding of the scalars):
/// <code>
/// m = m + (1 - beta1) * (g - m)            // exp_avg.lerp_(grad, 1 - beta1)
/// v = v * beta2 + ((1 - beta2) * g) * g    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
/// d = sqrt(v) / sqrt(1 - beta2^t) + eps    // denom
/// p = p + (-lr / (1 - beta1^t) * m) / d    // param.addcdiv_(exp_avg, denom, -step_size)
/// </code>
/// No fused multiply-add is used, so the Vector512, Vector256 and scalar paths give identical bits.
/// </summary>
internal static class AdamUpdate
{
    /// <summary>Per-step scalars, already rounded to float as PyTorch does when it passes Python floats to a float kernel.</summary>
    internal readonly record struct Coefficients(float OneMinusBeta1, float Beta2, float OneMinusBeta2, float BiasCorrection2Sqrt, float Epsilon, float NegativeStepSize);

    internal static Coefficients For(AdamConfig config, long step, double learningRate)
    {
        double biasCorrection1 = 1.0 - Math.Pow(config.Beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(config.Beta2, step);
        return new Coefficients(
            (float)(1.0 - config.Beta1),
            (float)config.Beta2,
            (float)(1.0 - config.Beta2),
            (float)Math.Sqrt(biasCorrection2),
            (float)config.Epsilon,
            (float)(-learningRate / biasCorrection1));
    }

    /// <summary>Updates <paramref name="parameters"/>, <paramref name="firstMoment"/> and <paramref name="secondMoment"/> in place with the widest accelerated vectors.</summary>
    internal static void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment, in Coefficients c)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            ApplyVector512(parameters, gradients, firstMoment, secondMoment, c);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ApplyVector256(parameters, gradients, firstMoment, secondMoment, c);
        }
        else
        {
            ApplyScalar(parameters, gradients, firstMoment, secondMoment, c, 0);
        }
    }

    /// <summary>
    /// 16 lanes = 16 consecutive parameters (each lane holds its own p, g, m, v); the last
    /// length % 16 elements go through <see cref="ApplyScalar"/>, which performs the same float operations.
    /// Callable without hardware support (software fallback) so tests can check every path.
    /// </summary>
    internal static void ApplyVector512(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment, in Coefficients c)
    {
        int n = CheckLengths(parameters, gradients, firstMoment, secondMoment);
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetReference(firstMoment);
        ref float v = ref MemoryMarshal.GetReference(secondMoment);
        var oneMinusBeta1 = Vector512.Create(c.OneMinusBeta1);
        var beta2 = Vector512.Create(c.Beta2);
        var oneMinusBeta2 = Vector512.Create(c.OneMinusBeta2);
        var bc2Sqrt = Vector512.Create(c.BiasCorrection2Sqrt);
        var eps = Vector512.Create(c.Epsilon);
        var negStep = Vector512.Create(c.NegativeStepSize);
        int i = 0;
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            nuint k = (nuint)i;
            var gi = Vector512.LoadUnsafe(ref g, k);
            var mi = Vector512.LoadUnsafe(ref m, k);
            var vi = Vector512.LoadUnsafe(ref v, k);
            mi += oneMinusBeta1 * (gi - mi);
            vi = (vi * beta2) + (oneMinusBeta2 * gi * gi);
            var denom = (Vector512.Sqrt(vi) / bc2Sqrt) + eps;
            var pi = Vector512.LoadUnsafe(ref p, k) + (negStep * mi / denom);
            mi.StoreUnsafe(ref m, k);
            vi.StoreUnsafe(ref v, k);
            pi.StoreUnsafe(ref p, k);
        }

        ApplyScalar(parameters, gradients, firstMoment, secondMoment, c, i);
    }

    /// <summary>8 lanes = 8 consecutive parameters; tail (length % 8) as in <see cref="ApplyVector512"/>.</summary>
    internal static void ApplyVector256(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment, in Coefficients c)
    {
        int n = CheckLengths(parameters, gradients, firstMoment, secondMoment);
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetReference(firstMoment);
        ref float v = ref MemoryMarshal.GetReference(secondMoment);
        var oneMinusBeta1 = Vector256.Create(c.OneMinusBeta1);
        var beta2 = Vector256.Create(c.Beta2);
        var oneMinusBeta2 = Vector256.Create(c.OneMinusBeta2);
        var bc2Sqrt = Vector256.Create(c.BiasCorrection2Sqrt);
        var eps = Vector256.Create(c.Epsilon);
        var negStep = Vector256.Create(c.NegativeStepSize);
        int i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            nuint k = (nuint)i;
            var gi = Vector256.LoadUnsafe(ref g, k);
            var mi = Vector256.LoadUnsafe(ref m, k);
            var vi = Vector256.LoadUnsafe(ref v, k);
            mi += oneMinusBeta1 * (gi - mi);
            vi = (vi * beta2) + (oneMinusBeta2 * gi * gi);
            var denom = (Vector256.Sqrt(vi) / bc2Sqrt) + eps;
            var pi = Vector256.LoadUnsafe(ref p, k) + (negStep * mi / denom);
            mi.StoreUnsafe(ref m, k);
            vi.StoreUnsafe(ref v, k);
            pi.StoreUnsafe(ref p, k);
        }

        ApplyScalar(parameters, gradients, firstMoment, secondMoment, c, i);
    }

    /// <summary>The reference: elements [start, length) one at a time.</summary>
    internal static void ApplyScalar(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment, in Coefficients c, int start)
    {
        int n = CheckLengths(parameters, gradients, firstMoment, secondMoment);
        for (int i = start; i < n; i++)
        {
            float gi = gradients[i];
            float mi = firstMoment[i];
            mi += c.OneMinusBeta1 * (gi - mi);
            float vi = (secondMoment[i] * c.Beta2) + (c.OneMinusBeta2 * gi * gi);
            float denom = (MathF.Sqrt(vi) / c.BiasCorrection2Sqrt) + c.Epsilon;
            parameters[i] += c.NegativeStepSize * mi / denom;
            firstMoment[i] = mi;
            secondMoment[i] = vi;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CheckLengths(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v)
    {
        if (g.Length != p.Length || m.Length != p.Length || v.Length != p.Length)
        {
            throw new ArgumentException($"Adam update spans differ in length: parameters {p.Length}, gradients {g.Length}, moments {m.Length}/{v.Length}");
        }

        return p.Length;
    }
}
