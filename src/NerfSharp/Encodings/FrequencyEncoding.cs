using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Encodings;

/// <summary>
/// NeRF's positional encoding, as nerf-pytorch's <c>get_embedder(L)</c>: channels
/// [x, sin(2^0 x), cos(2^0 x), sin(2^1 x), cos(2^1 x), ..., sin(2^(L-1) x), cos(2^(L-1) x)],
/// each an InputWidth-vector, no factor pi. Input is point-major (array of structures); the
/// output is feature-major: channel f of point p at output[f * count + p]. Each coordinate's sin and cos
/// are computed once in double and the higher frequencies by exact double-angle steps in double, so every
/// output is sin/cos of the float input to within float rounding.
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

                EncodeCoordinate(x, output, count, p0, SinChannel(0, dim));
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

                AccumulateCoordinateGradient(x, dLdOutput, count, p0, SinChannel(0, dim), g);
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

    /// <summary>
    /// For one coordinate of the block's points x[p] (point p0 + p): writes sin(2^k x) to row sinChannel0 + 2 k InputWidth
    /// and cos(2^k x) to the row InputWidth further, for k = 0..L-1. sin and cos of x come from one double-precision
    /// SinCos; higher frequencies from the double-angle formulas sin 2a = 2 sin a cos a, cos 2a = (cos a - sin a)(cos a + sin a),
    /// in double, so the error after k doublings (~2^k 1e-16) stays far below float rounding.
    /// </summary>
    private void EncodeCoordinate(ReadOnlySpan<float> x, Span<float> output, int count, int p0, int sinChannel0)
    {
        int n = x.Length;
        int rowStep = 2 * InputWidth * count;
        int cosOffset = InputWidth * count;
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Lanes: 8 consecutive points of one coordinate, widened to two Vector256<double> (lo = points 0..3, hi = 4..7).
            // The tail (n % 8 points) goes through the scalar loop below, which computes the same formulas.
            ref float xRef = ref MemoryMarshal.GetReference(x);
            ref float outRef = ref MemoryMarshal.GetReference(output);
            var two = Vector256.Create(2.0);
            for (; p <= n - Vector256<float>.Count; p += Vector256<float>.Count)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xRef, (nuint)p));
                var (sLo, cLo) = Vector256.SinCos(lo);
                var (sHi, cHi) = Vector256.SinCos(hi);
                nuint at = (nuint)((sinChannel0 * count) + p0 + p);
                for (int k = 0; k < NumFrequencies; k++, at += (nuint)rowStep)
                {
                    Vector256.Narrow(sLo, sHi).StoreUnsafe(ref outRef, at);
                    Vector256.Narrow(cLo, cHi).StoreUnsafe(ref outRef, at + (nuint)cosOffset);
                    (sLo, cLo) = (two * sLo * cLo, (cLo - sLo) * (cLo + sLo));
                    (sHi, cHi) = (two * sHi * cHi, (cHi - sHi) * (cHi + sHi));
                }
            }
        }

        for (; p < n; p++)
        {
            var (s, c) = Math.SinCos((double)x[p]);
            int at = (sinChannel0 * count) + p0 + p;
            for (int k = 0; k < NumFrequencies; k++, at += rowStep)
            {
                output[at] = (float)s;
                output[at + cosOffset] = (float)c;
                (s, c) = (2 * s * c, (c - s) * (c + s));
            }
        }
    }

    /// <summary>g[p] += sum_k 2^k (cos(2^k x[p]) dL/dsin_k - sin(2^k x[p]) dL/dcos_k), with sin/cos as in <see cref="EncodeCoordinate"/>.</summary>
    private void AccumulateCoordinateGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dLdOutput, int count, int p0, int sinChannel0, Span<float> g)
    {
        int n = x.Length;
        int rowStep = 2 * InputWidth * count;
        int cosOffset = InputWidth * count;
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Lanes as in EncodeCoordinate: 8 points as two Vector256<double>; the gradient sum is kept in double. Scalar tail below.
            ref float xRef = ref MemoryMarshal.GetReference(x);
            ref float dRef = ref MemoryMarshal.GetReference(dLdOutput);
            ref float gRef = ref MemoryMarshal.GetReference(g);
            var two = Vector256.Create(2.0);
            for (; p <= n - Vector256<float>.Count; p += Vector256<float>.Count)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xRef, (nuint)p));
                var (sLo, cLo) = Vector256.SinCos(lo);
                var (sHi, cHi) = Vector256.SinCos(hi);
                var (gLo, gHi) = Vector256.Widen(Vector256.LoadUnsafe(ref gRef, (nuint)p));
                var scale = Vector256<double>.One;
                nuint at = (nuint)((sinChannel0 * count) + p0 + p);
                for (int k = 0; k < NumFrequencies; k++, at += (nuint)rowStep)
                {
                    var (gsLo, gsHi) = Vector256.Widen(Vector256.LoadUnsafe(ref dRef, at));
                    var (gcLo, gcHi) = Vector256.Widen(Vector256.LoadUnsafe(ref dRef, at + (nuint)cosOffset));
                    gLo += scale * ((cLo * gsLo) - (sLo * gcLo));
                    gHi += scale * ((cHi * gsHi) - (sHi * gcHi));
                    (sLo, cLo) = (two * sLo * cLo, (cLo - sLo) * (cLo + sLo));
                    (sHi, cHi) = (two * sHi * cHi, (cHi - sHi) * (cHi + sHi));
                    scale *= two;
                }

                Vector256.Narrow(gLo, gHi).StoreUnsafe(ref gRef, (nuint)p);
            }
        }

        for (; p < n; p++)
        {
            var (s, c) = Math.SinCos((double)x[p]);
            double sum = g[p];
            double scale = 1;
            int at = (sinChannel0 * count) + p0 + p;
            for (int k = 0; k < NumFrequencies; k++, at += rowStep)
            {
                sum += scale * ((c * dLdOutput[at]) - (s * dLdOutput[at + cosOffset]));
                (s, c) = (2 * s * c, (c - s) * (c + s));
                scale *= 2;
            }

            g[p] = (float)sum;
        }
    }
}
