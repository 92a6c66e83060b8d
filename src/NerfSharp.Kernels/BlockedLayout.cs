namespace NerfSharp.Kernels;

/// <summary>
/// The feature-blocked activation layout the GEMM kernels work in ("NC16" in oneDNN's terms):
/// features are grouped in blocks of <see cref="BlockWidth"/>; within a block, each point holds its
/// 16 features contiguously (one cache line). Element (feature f, point p) lives at
/// <c>(f / 16) * blockStride + p * 16 + f % 16</c>. Lanes of the last block past the feature count are
/// padding and are kept at zero. With this layout all three products of a linear layer (forward,
/// input gradient, weight gradient) are broadcast-FMA GEMMs whose vectors run over 16 features,
/// so no horizontal sums or transposes are needed. Converting from and to the public feature-major
/// layout (<c>[f * count + p]</c>) is done only at a network's input and output.
/// </summary>
public static unsafe class BlockedLayout
{
    /// <summary>Features per block: one Vector512, two Vector256, one 64-byte cache line.</summary>
    public const int BlockWidth = 16;

    /// <summary>Blocks needed for <paramref name="features"/> features.</summary>
    public static int BlockCount(int features) => (features + BlockWidth - 1) / BlockWidth;

    /// <summary>Features rounded up to whole blocks.</summary>
    public static int PaddedWidth(int features) => BlockCount(features) * BlockWidth;

    /// <summary>
    /// A block stride (in floats) for <paramref name="points"/> points: one extra cache line per block,
    /// so that successive blocks of a tile do not map to the same cache sets when points * 64 bytes is a
    /// multiple of 4 KiB.
    /// </summary>
    public static int BlockStride(int points) => checked((points + 1) * BlockWidth);

    /// <summary>
    /// Copies rows of a feature-major matrix (feature f, point p at <c>source[f * sourceRowStride + p]</c>)
    /// into blocked layout, writing zeros into the padding lanes of the last block.
    /// </summary>
    public static void FromFeatureMajor(
        ReadOnlySpan<float> source, int sourceRowStride, int features, int count, Span<float> destination, int destinationBlockStride, SimdPath path = SimdPath.Auto)
    {
        ValidateFeatureMajor(source.Length, sourceRowStride, features, count, nameof(source));
        ValidateBlocked(destination.Length, destinationBlockStride, BlockCount(features), count, nameof(destination));
        if (count == 0 || features == 0)
        {
            return;
        }

        bool simd = LayoutTranspose.UseSimd(path != SimdPath.Scalar);
        int blocks = BlockCount(features);
        fixed (float* ps = source, pd = destination)
        {
            for (int b = 0; b < blocks; b++)
            {
                float* block = pd + ((nint)b * destinationBlockStride);
                int lanes = Math.Min(BlockWidth, features - (b * BlockWidth));
                if (lanes < BlockWidth)
                {
                    new Span<float>(block, count * BlockWidth).Clear();
                }

                LayoutTranspose.RowsToBlock(ps + ((nint)b * BlockWidth * sourceRowStride), sourceRowStride, lanes, count, block, 0, simd);
            }
        }
    }

    /// <summary>
    /// Copies features [firstFeature, firstFeature + features) of a blocked matrix into rows of a
    /// feature-major matrix (destination row r = blocked feature firstFeature + r), overwriting or adding.
    /// </summary>
    public static void ToFeatureMajor(
        ReadOnlySpan<float> source,
        int sourceBlockStride,
        int firstFeature,
        int features,
        int count,
        Span<float> destination,
        int destinationRowStride,
        bool accumulate,
        SimdPath path = SimdPath.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstFeature);
        ValidateBlocked(source.Length, sourceBlockStride, BlockCount(firstFeature + features), count, nameof(source));
        ValidateFeatureMajor(destination.Length, destinationRowStride, features, count, nameof(destination));
        if (count == 0 || features == 0)
        {
            return;
        }

        bool simd = LayoutTranspose.UseSimd(path != SimdPath.Scalar);
        fixed (float* ps = source, pd = destination)
        {
            // Runs of rows that lie in one block.
            for (int r = 0; r < features;)
            {
                int f = firstFeature + r;
                int rows = Math.Min(features - r, BlockWidth - (f % BlockWidth));
                float* block = ps + ((nint)(f / BlockWidth) * sourceBlockStride);
                LayoutTranspose.BlockToRows(block, f % BlockWidth, rows, count, pd + ((nint)r * destinationRowStride), destinationRowStride, accumulate, simd);
                r += rows;
            }
        }
    }

    /// <summary>Throws unless a blocked buffer of this length holds <paramref name="blocks"/> blocks of <paramref name="count"/> points.</summary>
    public static void ValidateBlocked(int length, int blockStride, int blocks, int count, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(blocks);
        if (blocks == 0 || count == 0)
        {
            return;
        }

        if (blockStride < count * BlockWidth)
        {
            throw new ArgumentException($"block stride {blockStride} is smaller than {count} points x {BlockWidth}", name);
        }

        if ((long)(blocks - 1) * blockStride + ((long)count * BlockWidth) > length)
        {
            throw new ArgumentException($"blocked buffer of {length} floats cannot hold {blocks} blocks of {count} points at stride {blockStride}", name);
        }
    }

    private static void ValidateFeatureMajor(int length, int rowStride, int features, int count, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(features);
        if (features == 0 || count == 0)
        {
            return;
        }

        if (rowStride < count)
        {
            throw new ArgumentException($"row stride {rowStride} is smaller than the point count {count}", name);
        }

        if ((long)(features - 1) * rowStride + count > length)
        {
            throw new ArgumentException($"feature-major buffer of {length} floats cannot hold {features} rows of {count} at stride {rowStride}", name);
        }
    }
}
