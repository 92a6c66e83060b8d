using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Fields;

/// <summary>
/// nerf-pytorch's activation of the NeRF MLP's raw output: density = relu(raw_sigma + noise),
/// color = sigmoid(raw_rgb). Raw is feature-major [4][count] with rows r, g, b, sigma; density is
/// [count] and color structure-of-arrays [3][count]. Noise (raw_noise_std &gt; 0 in training) is
/// per-sample and additive; an empty span means none.
/// </summary>
public static class VanillaNerfActivation
{
    public static void Forward(ReadOnlySpan<float> raw, int count, ReadOnlySpan<float> noise, Span<float> density, Span<float> color)
    {
        CheckShapes(raw.Length, count, noise.Length);
        if (density.Length < count || color.Length < 3 * count)
        {
            throw new ArgumentException($"density ({density.Length}) or color ({color.Length}) too short for {count} samples");
        }

        if (count == 0)
        {
            return;
        }

        TensorPrimitives.Sigmoid(raw[..(3 * count)], color[..(3 * count)]);
        ReadOnlySpan<float> sigma = raw.Slice(3 * count, count);
        Span<float> d = density[..count];
        if (noise.IsEmpty)
        {
            TensorPrimitives.Max(sigma, 0f, d);
        }
        else
        {
            TensorPrimitives.Add(sigma, noise[..count], d);
            TensorPrimitives.Max(d, 0f, d);
        }
    }

    /// <summary>
    /// dL/draw_c = dL/dcolor_c s (1 - s) with s = sigmoid(raw_c); dL/draw_sigma = dL/ddensity where
    /// raw_sigma + noise &gt; 0, else 0 (PyTorch's relu derivative, 0 at the kink). Overwrites dLdRaw [4][count].
    /// </summary>
    public static void Backward(ReadOnlySpan<float> raw, int count, ReadOnlySpan<float> noise, ReadOnlySpan<float> dLdDensity, ReadOnlySpan<float> dLdColor, Span<float> dLdRaw)
    {
        CheckShapes(raw.Length, count, noise.Length);
        if (dLdDensity.Length < count || dLdColor.Length < 3 * count || dLdRaw.Length < 4 * count)
        {
            throw new ArgumentException($"dLdDensity ({dLdDensity.Length}), dLdColor ({dLdColor.Length}) or dLdRaw ({dLdRaw.Length}) too short for {count} samples");
        }

        if (count == 0)
        {
            return;
        }

        int n3 = 3 * count;
        Span<float> dColor = dLdRaw[..n3];
        TensorPrimitives.Sigmoid(raw[..n3], dColor);
        SigmoidGradient(dColor, dLdColor[..n3]);

        ReadOnlySpan<float> sigma = raw.Slice(n3, count);
        Span<float> dSigma = dLdRaw.Slice(n3, count);
        for (int s = 0; s < count; s++)
        {
            float x = noise.IsEmpty ? sigma[s] : sigma[s] + noise[s];
            dSigma[s] = x > 0 ? dLdDensity[s] : 0f;
        }
    }

    /// <summary>In place: sigmoidThenGrad[i] = g[i] s (1 - s) where s = sigmoidThenGrad[i] on entry.</summary>
    private static void SigmoidGradient(Span<float> sigmoidThenGrad, ReadOnlySpan<float> g)
    {
        int n = sigmoidThenGrad.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Lanes: 8 consecutive entries (channel-major, so any channel boundary is fine); scalar tail below.
            ref float sRef = ref MemoryMarshal.GetReference(sigmoidThenGrad);
            ref float gRef = ref MemoryMarshal.GetReference(g);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var s = Vector256.LoadUnsafe(ref sRef, (nuint)i);
                (Vector256.LoadUnsafe(ref gRef, (nuint)i) * s * (Vector256<float>.One - s)).StoreUnsafe(ref sRef, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float s = sigmoidThenGrad[i];
            sigmoidThenGrad[i] = g[i] * s * (1 - s);
        }
    }

    private static void CheckShapes(int rawLength, int count, int noiseLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (rawLength < 4 * count)
        {
            throw new ArgumentException($"raw holds {rawLength} values, {count} samples need {4 * count} ([4][count])", "raw");
        }

        if (noiseLength != 0 && noiseLength < count)
        {
            throw new ArgumentException($"noise holds {noiseLength} values, expected 0 (none) or {count}", "noise");
        }
    }
}
