using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Encodings;

/// <summary>
/// NeRF's positional encoding, as nerf-pytorch's <c>get_embedder(L)</c>: channels
/// [x, sin(2^0 x), cos(2^0 x), sin(2^1 x), cos(2^1 x), ..., sin(2^(L-1) x), cos(2^(L-1) x)],
/// each an InputWidth-vector, no factor pi. Input is point-major (array of structures); the
/// output is feature-major: channel f of point p at output[f * count + p].
/// </summary>
public sealed class FrequencyEncoding
{
    /// <summary>Points handled per block: the block's coordinates are transposed to structure-of-arrays on the stack.</summary>
    private const int BlockSize = 256;

    private readonly int inputOffset;

    public FrequencyEncoding(int inputDims, int numFrequencies, bool includeInput = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputDims);
        ArgumentOutOfRangeException.ThrowIfNegative(numFrequencies);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(numFrequencies, 30);
        if (inputDims > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(inputDims), "at most 16 input dimensions");
        }

        InputWidth = inputDims;
        NumFrequencies = numFrequencies;
        IncludeInput = includeInput;
        inputOffset = includeInput ? inputDims : 0;
        OutputWidth = inputOffset + (inputDims * 2 * numFrequencies);
        if (OutputWidth == 0)
        {
            throw new ArgumentException("the encoding has no output channels (no frequencies and no input)");
        }
    }

    public int InputWidth { get; }

    public int OutputWidth { get; }

    public int NumFrequencies { get; }

    public bool IncludeInput { get; }

    /// <summary>Channel of sin(2^k x_d); cos(2^k x_d) is at this + InputWidth.</summary>
    public int SinChannel(int frequency, int dim) => inputOffset + (frequency * 2 * InputWidth) + dim;

    /// <summary>Encodes <paramref name="count"/> points: input[p * InputWidth + d], output[f * count + p].</summary>
    public void Forward(ReadOnlySpan<float> input, int count, Span<float> output)
    {
        CheckShapes(input.Length, count, output.Length, nameof(output));
        int d = InputWidth;
        Span<float> soa = stackalloc float[d * BlockSize];
        for (int p0 = 0; p0 < count; p0 += BlockSize)
        {
            int n = Math.Min(BlockSize, count - p0);
            Deinterleave(input.Slice(p0 * d, n * d), d, n, soa);
            for (int dim = 0; dim < d; dim++)
            {
                ReadOnlySpan<float> x = soa.Slice(dim * BlockSize, n);
                if (IncludeInput)
                {
                    x.CopyTo(output.Slice((dim * count) + p0, n));
                }

                for (int k = 0; k < NumFrequencies; k++)
                {
                    int sinChannel = SinChannel(k, dim);
                    Span<float> sinOut = output.Slice((sinChannel * count) + p0, n);
                    Span<float> cosOut = output.Slice(((sinChannel + d) * count) + p0, n);
                    SinCosScaled(x, (float)(1 << k), sinOut, cosOut);
                }
            }
        }
    }

    /// <summary>
    /// dL/dx_d = dL/dout_x_d + sum_k 2^k (cos(2^k x_d) dL/dsin_k,d - sin(2^k x_d) dL/dcos_k,d).
    /// <paramref name="dLdOutput"/> is feature-major like the output; <paramref name="dLdInput"/> is point-major and overwritten.
    /// </summary>
    public void Backward(ReadOnlySpan<float> input, int count, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        CheckShapes(input.Length, count, dLdOutput.Length, nameof(dLdOutput));
        int d = InputWidth;
        if (dLdInput.Length < count * d)
        {
            throw new ArgumentException($"dLdInput holds {dLdInput.Length} values, {count} points need {count * d}", nameof(dLdInput));
        }

        Span<float> soa = stackalloc float[d * BlockSize];
        Span<float> grad = stackalloc float[BlockSize];
        for (int p0 = 0; p0 < count; p0 += BlockSize)
        {
            int n = Math.Min(BlockSize, count - p0);
            Deinterleave(input.Slice(p0 * d, n * d), d, n, soa);
            for (int dim = 0; dim < d; dim++)
            {
                ReadOnlySpan<float> x = soa.Slice(dim * BlockSize, n);
                Span<float> g = grad[..n];
                if (IncludeInput)
                {
                    dLdOutput.Slice((dim * count) + p0, n).CopyTo(g);
                }
                else
                {
                    g.Clear();
                }

                for (int k = 0; k < NumFrequencies; k++)
                {
                    int sinChannel = SinChannel(k, dim);
                    ReadOnlySpan<float> gSin = dLdOutput.Slice((sinChannel * count) + p0, n);
                    ReadOnlySpan<float> gCos = dLdOutput.Slice(((sinChannel + d) * count) + p0, n);
                    AccumulateSinCosGradient(x, (float)(1 << k), gSin, gCos, g);
                }

                for (int p = 0; p < n; p++)
                {
                    dLdInput[((p0 + p) * d) + dim] = g[p];
                }
            }
        }
    }

    private void CheckShapes(int inputLength, int count, int outputLength, string outputName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (inputLength < count * InputWidth)
        {
            throw new ArgumentException($"input holds {inputLength} values, {count} points need {count * InputWidth}", "input");
        }

        if (outputLength < count * OutputWidth)
        {
            throw new ArgumentException($"{outputName} holds {outputLength} values, {count} points need {count * OutputWidth}", outputName);
        }
    }

    /// <summary>Point-major [n][d] to dimension-major blocks: soa[dim * BlockSize + p].</summary>
    private static void Deinterleave(ReadOnlySpan<float> input, int d, int n, Span<float> soa)
    {
        for (int p = 0; p < n; p++)
        {
            for (int dim = 0; dim < d; dim++)
            {
                soa[(dim * BlockSize) + p] = input[(p * d) + dim];
            }
        }
    }

    /// <summary>sinOut[p] = sin(scale x[p]), cosOut[p] = cos(scale x[p]). The scale is a power of two, so scale x is exact.</summary>
    private static void SinCosScaled(ReadOnlySpan<float> x, float scale, Span<float> sinOut, Span<float> cosOut)
    {
        int n = x.Length;
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Lanes: 8 consecutive points of one coordinate. The tail (n % 8) runs through the scalar loop below.
            ref float xRef = ref MemoryMarshal.GetReference(x);
            ref float sRef = ref MemoryMarshal.GetReference(sinOut);
            ref float cRef = ref MemoryMarshal.GetReference(cosOut);
            var vScale = Vector256.Create(scale);
            for (; p <= n - Vector256<float>.Count; p += Vector256<float>.Count)
            {
                var (s, c) = Vector256.SinCos(Vector256.LoadUnsafe(ref xRef, (nuint)p) * vScale);
                s.StoreUnsafe(ref sRef, (nuint)p);
                c.StoreUnsafe(ref cRef, (nuint)p);
            }
        }

        for (; p < n; p++)
        {
            (sinOut[p], cosOut[p]) = MathF.SinCos(x[p] * scale);
        }
    }

    /// <summary>g[p] += scale (cos(scale x[p]) gSin[p] - sin(scale x[p]) gCos[p]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateSinCosGradient(ReadOnlySpan<float> x, float scale, ReadOnlySpan<float> gSin, ReadOnlySpan<float> gCos, Span<float> g)
    {
        int n = x.Length;
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Lanes: 8 consecutive points of one coordinate; the scalar loop below takes the tail.
            ref float xRef = ref MemoryMarshal.GetReference(x);
            ref float gsRef = ref MemoryMarshal.GetReference(gSin);
            ref float gcRef = ref MemoryMarshal.GetReference(gCos);
            ref float gRef = ref MemoryMarshal.GetReference(g);
            var vScale = Vector256.Create(scale);
            for (; p <= n - Vector256<float>.Count; p += Vector256<float>.Count)
            {
                var (s, c) = Vector256.SinCos(Vector256.LoadUnsafe(ref xRef, (nuint)p) * vScale);
                var term = (c * Vector256.LoadUnsafe(ref gsRef, (nuint)p)) - (s * Vector256.LoadUnsafe(ref gcRef, (nuint)p));
                (Vector256.LoadUnsafe(ref gRef, (nuint)p) + (term * vScale)).StoreUnsafe(ref gRef, (nuint)p);
            }
        }

        for (; p < n; p++)
        {
            var (s, c) = MathF.SinCos(x[p] * scale);
            g[p] += scale * ((c * gSin[p]) - (s * gCos[p]));
        }
    }
}
