namespace NerfSharp.Kernels;

/// <summary>
/// Rearranges a PyTorch-layout weight matrix W[out, in] into the panels the blocked GEMM kernels
/// stream, and adds blocked weight-gradient partials back into PyTorch layout.
/// The input of a layer may be a concatenation of segments (nerf-pytorch's skip connection
/// <c>cat([input_pts, h])</c>, the view branch's <c>cat([feature, input_views])</c>): each segment
/// starts on a block boundary of the blocked input, so column c of segment s sits at padded position
/// <c>paddedStart(s) + (c - columnStart(s))</c>; padding positions get zero weights.
/// </summary>
public static class WeightPacking
{
    private const int B = BlockedLayout.BlockWidth;

    /// <summary>Input width padded segment by segment: sum of PaddedWidth(segment).</summary>
    public static int PaddedInputWidth(ReadOnlySpan<int> inputSegments)
    {
        int total = 0;
        foreach (int s in inputSegments)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(s);
            total += BlockedLayout.PaddedWidth(s);
        }

        return total;
    }

    /// <summary>Floats in one packed matrix (either orientation): PaddedWidth(out) x PaddedInputWidth.</summary>
    public static int PackedLength(int outFeatures, ReadOnlySpan<int> inputSegments) =>
        checked(BlockedLayout.PaddedWidth(outFeatures) * PaddedInputWidth(inputSegments));

    /// <summary>
    /// Forward panels: for output block ob, a [paddedIn][16] panel holding W[ob * 16 + lane, column(k)]
    /// at <c>packed[(ob * paddedIn + k) * 16 + lane]</c> (zero for padding rows and columns). Writes rows
    /// [firstRow, endRow) of the padded output (default: all), so threads can pack disjoint row ranges.
    /// </summary>
    public static void PackForward(ReadOnlySpan<float> weight, int outFeatures, ReadOnlySpan<int> inputSegments, Span<float> packed, int firstRow = 0, int endRow = -1)
    {
        int inFeatures = Validate(weight.Length, outFeatures, inputSegments, packed.Length);
        int paddedIn = PaddedInputWidth(inputSegments);
        endRow = CheckRows(outFeatures, firstRow, endRow);
        for (int n = firstRow; n < endRow; n++)
        {
            Span<float> panel = packed.Slice((n / B) * paddedIn * B, paddedIn * B);
            int lane = n % B;
            if (n >= outFeatures)
            {
                for (int k = 0; k < paddedIn; k++)
                {
                    panel[(k * B) + lane] = 0f;
                }

                continue;
            }

            ReadOnlySpan<float> row = weight.Slice(n * inFeatures, inFeatures);
            int column = 0, padded = 0;
            foreach (int width in inputSegments)
            {
                int paddedWidth = BlockedLayout.PaddedWidth(width);
                for (int c = 0; c < paddedWidth; c++)
                {
                    panel[((padded + c) * B) + lane] = c < width ? row[column + c] : 0f;
                }

                column += width;
                padded += paddedWidth;
            }
        }
    }

    /// <summary>
    /// Input-gradient panels (W transposed): for input block kb, a [paddedOut][16] panel holding
    /// W[n, column(kb * 16 + lane)] at <c>packed[(kb * paddedOut + n) * 16 + lane]</c>. Writes rows n in
    /// [firstRow, endRow) of the padded output (default: all).
    /// </summary>
    public static void PackTransposed(ReadOnlySpan<float> weight, int outFeatures, ReadOnlySpan<int> inputSegments, Span<float> packed, int firstRow = 0, int endRow = -1)
    {
        int inFeatures = Validate(weight.Length, outFeatures, inputSegments, packed.Length);
        int paddedIn = PaddedInputWidth(inputSegments);
        int paddedOut = BlockedLayout.PaddedWidth(outFeatures);
        endRow = CheckRows(outFeatures, firstRow, endRow);
        for (int n = firstRow; n < endRow; n++)
        {
            ReadOnlySpan<float> row = n < outFeatures ? weight.Slice(n * inFeatures, inFeatures) : default;
            int column = 0, padded = 0;
            foreach (int width in inputSegments)
            {
                int paddedWidth = BlockedLayout.PaddedWidth(width);
                for (int c = 0; c < paddedWidth; c++)
                {
                    int k = padded + c;
                    packed[((k / B) * paddedOut * B) + (n * B) + (k % B)] = c < width && n < outFeatures ? row[column + c] : 0f;
                }

                column += width;
                padded += paddedWidth;
            }
        }
    }

    /// <summary>
    /// Adds a weight-gradient partial in padded row-major form (<c>partial[n * paddedIn + k]</c>, as
    /// <see cref="BlockedGemm.WeightGradient"/> accumulates it) into a PyTorch-layout gradient dW[out, in],
    /// for rows [firstRow, endRow) of the real output (default: all).
    /// </summary>
    public static void AddWeightGradient(ReadOnlySpan<float> partial, int outFeatures, ReadOnlySpan<int> inputSegments, Span<float> weightGradient, int firstRow = 0, int endRow = -1)
    {
        int paddedIn = PaddedInputWidth(inputSegments);
        int inFeatures = Validate(weightGradient.Length, outFeatures, inputSegments, int.MaxValue);
        endRow = endRow < 0 ? outFeatures : endRow;
        if (firstRow < 0 || endRow > outFeatures || firstRow > endRow)
        {
            throw new ArgumentOutOfRangeException(nameof(endRow), $"rows [{firstRow}, {endRow}) are not within [0, {outFeatures})");
        }

        if (partial.Length < outFeatures * paddedIn)
        {
            throw new ArgumentException($"partial has {partial.Length} floats, expected {outFeatures} x {paddedIn}", nameof(partial));
        }

        for (int n = firstRow; n < endRow; n++)
        {
            ReadOnlySpan<float> source = partial.Slice(n * paddedIn, paddedIn);
            Span<float> row = weightGradient.Slice(n * inFeatures, inFeatures);
            int column = 0, padded = 0;
            foreach (int width in inputSegments)
            {
                for (int c = 0; c < width; c++)
                {
                    row[column + c] += source[padded + c];
                }

                column += width;
                padded += BlockedLayout.PaddedWidth(width);
            }
        }
    }

    private static int CheckRows(int outFeatures, int firstRow, int endRow)
    {
        int paddedOut = BlockedLayout.PaddedWidth(outFeatures);
        endRow = endRow < 0 ? paddedOut : endRow;
        if (firstRow < 0 || endRow > paddedOut || firstRow > endRow)
        {
            throw new ArgumentOutOfRangeException(nameof(endRow), $"rows [{firstRow}, {endRow}) are not within the padded output [0, {paddedOut})");
        }

        return endRow;
    }

    private static int Validate(int weightLength, int outFeatures, ReadOnlySpan<int> inputSegments, int packedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        int inFeatures = 0;
        foreach (int s in inputSegments)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(s);
            inFeatures += s;
        }

        if (weightLength != outFeatures * inFeatures)
        {
            throw new ArgumentException($"weight has {weightLength} floats, expected {outFeatures} x {inFeatures}");
        }

        if (packedLength < PackedLength(outFeatures, inputSegments))
        {
            throw new ArgumentException($"packed buffer has {packedLength} floats, needs {PackedLength(outFeatures, inputSegments)}");
        }

        return inFeatures;
    }
}
