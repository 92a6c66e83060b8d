namespace NerfSharp.Kernels;

/// <summary>
/// The three products of a linear layer y = W x + b over a batch of points in <see cref="BlockedLayout"/>,
/// with their epilogues fused:
/// <list type="bullet">
/// <item><see cref="Forward"/>: Y(n, p) = relu?(b[n] + sum_k W[n, k] X(k, p)), panels from <see cref="WeightPacking.PackForward"/>;</item>
/// <item><see cref="InputGradient"/>: dX(k, p) (+)= sum_n W[n, k] dY(n, p), optionally multiplied by the ReLU mask M(k, p) &gt; 0
/// of the previous layer's output, panels from <see cref="WeightPacking.PackTransposed"/>;</item>
/// <item><see cref="WeightGradient"/>: G[n, k] += sum_p dY(n, p) X(k, p) into a padded row-major partial;</item>
/// <item><see cref="BiasGradient"/>: g[n] += sum_p dY(n, p).</item>
/// </list>
/// All four are single-threaded and deterministic (fixed summation order); callers parallelise over
/// disjoint point ranges and reduce partials in a fixed order. Padding lanes of inputs must be zero.
/// </summary>
public static unsafe class BlockedGemm
{
    private const int B = BlockedLayout.BlockWidth;

    /// <summary>Floats in one panel: the weights one output block reads over a reduction of <paramref name="reductionBlocks"/> blocks.</summary>
    public static int PanelLength(int reductionBlocks) => reductionBlocks * B * B;

    /// <summary>
    /// Y(n, p) = relu?(bias[n] + sum_k W[n, k] X(k, p)) for n &lt; outputBlocks * 16, p &lt; count.
    /// <paramref name="panels"/> holds outputBlocks consecutive panels of <see cref="PanelLength"/>(inputBlocks) floats;
    /// <paramref name="bias"/> is empty (no bias) or holds outputBlocks * 16 floats (zero in padding lanes).
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> x,
        int xBlockStride,
        int inputBlocks,
        ReadOnlySpan<float> panels,
        ReadOnlySpan<float> bias,
        Span<float> y,
        int yBlockStride,
        int outputBlocks,
        int count,
        bool relu,
        SimdPath path = SimdPath.Auto)
    {
        ValidateProduct(x.Length, xBlockStride, inputBlocks, panels.Length, y.Length, yBlockStride, outputBlocks, count);
        if (!bias.IsEmpty && bias.Length < outputBlocks * B)
        {
            throw new ArgumentException($"bias has {bias.Length} floats, needs {outputBlocks * B}", nameof(bias));
        }

        if (count == 0 || outputBlocks == 0)
        {
            return;
        }

        fixed (float* px = x, pw = panels, pb = bias, py = y)
        {
            var e = new Epilogue(bias.IsEmpty ? null : pb, relu, false, null, 0);
            Run(SimdPaths.Resolve(path), px, xBlockStride, inputBlocks, pw, py, yBlockStride, outputBlocks, count, e);
        }
    }

    /// <summary>
    /// dX(k, p) = sum_n W[n, k] dY(n, p) (added to dX when <paramref name="accumulate"/>), then multiplied by
    /// [mask(k, p) &gt; 0] when <paramref name="reluMask"/> is not empty (the ReLU derivative of the layer that produced X,
    /// read from its saved output). <paramref name="panels"/> holds outputBlocks consecutive transposed panels of
    /// <see cref="PanelLength"/>(gradientBlocks) floats (slice the packed matrix to start at the first input block wanted).
    /// </summary>
    public static void InputGradient(
        ReadOnlySpan<float> dy,
        int dyBlockStride,
        int gradientBlocks,
        ReadOnlySpan<float> panels,
        Span<float> dx,
        int dxBlockStride,
        int outputBlocks,
        int count,
        bool accumulate,
        ReadOnlySpan<float> reluMask,
        int maskBlockStride,
        SimdPath path = SimdPath.Auto)
    {
        ValidateProduct(dy.Length, dyBlockStride, gradientBlocks, panels.Length, dx.Length, dxBlockStride, outputBlocks, count);
        if (!reluMask.IsEmpty)
        {
            BlockedLayout.ValidateBlocked(reluMask.Length, maskBlockStride, outputBlocks, count, nameof(reluMask));
        }

        if (count == 0 || outputBlocks == 0)
        {
            return;
        }

        fixed (float* px = dy, pw = panels, py = dx, pm = reluMask)
        {
            var e = new Epilogue(null, false, accumulate, reluMask.IsEmpty ? null : pm, maskBlockStride);
            Run(SimdPaths.Resolve(path), px, dyBlockStride, gradientBlocks, pw, py, dxBlockStride, outputBlocks, count, e);
        }
    }

    /// <summary>
    /// partial[n * partialRowStride + k] += sum_p dY(n, p) X(k, p) for n &lt; outputBlocks * 16, k &lt; inputBlocks * 16.
    /// </summary>
    public static void WeightGradient(
        ReadOnlySpan<float> dy,
        int dyBlockStride,
        int outputBlocks,
        ReadOnlySpan<float> x,
        int xBlockStride,
        int inputBlocks,
        int count,
        Span<float> partial,
        int partialRowStride,
        SimdPath path = SimdPath.Auto)
    {
        BlockedLayout.ValidateBlocked(dy.Length, dyBlockStride, outputBlocks, count, nameof(dy));
        BlockedLayout.ValidateBlocked(x.Length, xBlockStride, inputBlocks, count, nameof(x));
        if (outputBlocks == 0 || inputBlocks == 0)
        {
            return;
        }

        if (partialRowStride < inputBlocks * B || (long)((outputBlocks * B) - 1) * partialRowStride + (inputBlocks * B) > partial.Length)
        {
            throw new ArgumentException($"partial of {partial.Length} floats at row stride {partialRowStride} cannot hold {outputBlocks * B} x {inputBlocks * B}", nameof(partial));
        }

        if (count == 0)
        {
            return;
        }

        fixed (float* pd = dy, px = x, pg = partial)
        {
            switch (SimdPaths.Resolve(path))
            {
                case SimdPath.Vector512:
                    BlockedGemmVector512.WeightGradient(pd, dyBlockStride, outputBlocks, px, xBlockStride, inputBlocks, count, pg, partialRowStride);
                    break;
                case SimdPath.Vector256:
                    BlockedGemmVector256.WeightGradient(pd, dyBlockStride, outputBlocks, px, xBlockStride, inputBlocks, count, pg, partialRowStride);
                    break;
                default:
                    BlockedGemmScalar.WeightGradient(pd, dyBlockStride, outputBlocks, px, xBlockStride, inputBlocks, count, pg, partialRowStride);
                    break;
            }
        }
    }

    /// <summary>partial[n] += sum_p dY(n, p) for n &lt; outputBlocks * 16.</summary>
    public static void BiasGradient(ReadOnlySpan<float> dy, int dyBlockStride, int outputBlocks, int count, Span<float> partial, SimdPath path = SimdPath.Auto)
    {
        BlockedLayout.ValidateBlocked(dy.Length, dyBlockStride, outputBlocks, count, nameof(dy));
        if (partial.Length < outputBlocks * B)
        {
            throw new ArgumentException($"partial has {partial.Length} floats, needs {outputBlocks * B}", nameof(partial));
        }

        if (count == 0 || outputBlocks == 0)
        {
            return;
        }

        fixed (float* pd = dy, pg = partial)
        {
            switch (SimdPaths.Resolve(path))
            {
                case SimdPath.Vector512:
                    BlockedGemmVector512.BiasGradient(pd, dyBlockStride, outputBlocks, count, pg);
                    break;
                case SimdPath.Vector256:
                    BlockedGemmVector256.BiasGradient(pd, dyBlockStride, outputBlocks, count, pg);
                    break;
                default:
                    BlockedGemmScalar.BiasGradient(pd, dyBlockStride, outputBlocks, count, pg);
                    break;
            }
        }
    }

    private static void Run(SimdPath path, float* x, int xs, int kBlocks, float* w, float* y, int ys, int nBlocks, int count, in Epilogue e)
    {
        switch (path)
        {
            case SimdPath.Vector512:
                BlockedGemmVector512.Multiply(x, xs, kBlocks, w, y, ys, nBlocks, count, e);
                break;
            case SimdPath.Vector256:
                BlockedGemmVector256.Multiply(x, xs, kBlocks, w, y, ys, nBlocks, count, e);
                break;
            default:
                BlockedGemmScalar.Multiply(x, xs, kBlocks, w, y, ys, nBlocks, count, e);
                break;
        }
    }

    private static void ValidateProduct(int xLength, int xs, int kBlocks, int panelsLength, int yLength, int ys, int nBlocks, int count)
    {
        BlockedLayout.ValidateBlocked(xLength, xs, kBlocks, count, "x");
        BlockedLayout.ValidateBlocked(yLength, ys, nBlocks, count, "y");
        if ((long)nBlocks * PanelLength(kBlocks) > panelsLength)
        {
            throw new ArgumentException($"panels hold {panelsLength} floats, {nBlocks} panels over {kBlocks} blocks need {(long)nBlocks * PanelLength(kBlocks)}", "panels");
        }
    }
}

/// <summary>What a product does after the reduction: start from bias or from the output (accumulate), mask, ReLU.</summary>
internal readonly unsafe struct Epilogue(float* bias, bool relu, bool accumulate, float* mask, nint maskStride)
{
    public readonly float* Bias = bias;
    public readonly bool Relu = relu;
    public readonly bool Accumulate = accumulate;
    public readonly float* Mask = mask;
    public readonly nint MaskStride = maskStride;
}
