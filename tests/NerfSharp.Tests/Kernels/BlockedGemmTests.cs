using NerfSharp.Kernels;

namespace NerfSharp.Tests.Kernels;

/// <summary>
/// Every blocked GEMM product on every SIMD path (vector paths the hardware lacks run through .NET's software
/// fallback) against the double-precision feature-major <see cref="GemmReference"/>, over widths that leave every
/// block tail and point counts that leave every micro-kernel tail.
/// </summary>
public sealed class BlockedGemmTests
{
    public static readonly TheoryData<SimdPath> Paths = new() { SimdPath.Scalar, SimdPath.Vector256, SimdPath.Vector512, SimdPath.Auto };

    private static readonly (int In, int Out)[] Shapes = [(1, 1), (3, 27), (27, 3), (63, 90), (90, 127), (127, 63), (283, 128), (319, 256), (256, 1), (128, 3)];

    private static readonly int[] Counts = [0, 1, 5, 6, 7, 12, 13, 17, 96, 101];

    [Theory]
    [MemberData(nameof(Paths))]
    public void ForwardMatchesReferenceForEveryPointCount(SimdPath path)
    {
        for (int count = 0; count <= 257; count++)
        {
            CheckForward(path, 27, 20, count, relu: count % 2 == 0, withBias: count % 3 != 0, seed: count);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ForwardMatchesReferenceForEveryShape(SimdPath path)
    {
        int seed = 0;
        foreach (var (inF, outF) in Shapes)
        {
            foreach (int count in Counts)
            {
                CheckForward(path, inF, outF, count, relu: seed % 2 == 0, withBias: true, seed: seed++);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void InputGradientMatchesReference(SimdPath path)
    {
        int seed = 100;
        foreach (var (inF, outF) in Shapes)
        {
            foreach (int count in Counts)
            {
                CheckInputGradient(path, inF, outF, count, accumulate: seed % 2 == 0, masked: seed % 3 != 0, seed: seed++);
            }
        }

        for (int count = 0; count <= 257; count++)
        {
            CheckInputGradient(path, 20, 27, count, accumulate: count % 2 == 1, masked: count % 3 == 0, seed: count);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void WeightAndBiasGradientsMatchReference(SimdPath path)
    {
        int seed = 200;
        foreach (var (inF, outF) in Shapes)
        {
            foreach (int count in Counts)
            {
                CheckWeightGradient(path, inF, outF, count, seed++);
            }
        }

        for (int count = 0; count <= 257; count++)
        {
            CheckWeightGradient(path, 27, 20, count, seed: count);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ConcatenatedInputSegmentsMatchOneWideLayer(SimdPath path)
    {
        // nerf-pytorch's skip layer: cat([input_pts (63), h (256)]) -> 256, and the view layer cat([feature, views (27)]).
        foreach (int[] segments in new[] { new[] { 63, 256 }, new[] { 256, 27 }, new[] { 3, 1, 17 } })
        {
            int inF = segments.Sum(), outF = 40, count = 23;
            var rng = new Random(inF);
            float[] w = Random(rng, outF * inF), b = Random(rng, outF), x = Random(rng, inF * count), dy = Random(rng, outF * count);
            int stride = BlockedLayout.BlockStride(count);
            int inBlocks = segments.Sum(BlockedLayout.BlockCount);
            int outBlocks = BlockedLayout.BlockCount(outF);

            // Each segment's rows go to its own block-aligned position.
            float[] xb = new float[inBlocks * stride];
            int row = 0, block = 0;
            foreach (int s in segments)
            {
                BlockedLayout.FromFeatureMajor(x.AsSpan(row * count), count, s, count, xb.AsSpan(block * stride), stride);
                row += s;
                block += BlockedLayout.BlockCount(s);
            }

            float[] panels = new float[WeightPacking.PackedLength(outF, segments)];
            WeightPacking.PackForward(w, outF, segments, panels);
            float[] bias = new float[outBlocks * 16];
            b.CopyTo(bias, 0);
            float[] yb = new float[outBlocks * stride];
            BlockedGemm.Forward(xb, stride, inBlocks, panels, bias, yb, stride, outBlocks, count, relu: false, path);
            float[] y = new float[outF * count], expected = new float[outF * count];
            BlockedLayout.ToFeatureMajor(yb, stride, 0, outF, count, y, count, accumulate: false);
            GemmReference.Forward(w, b, x, inF, outF, count, expected, relu: false);
            AssertClose(expected, y, inF);

            // Input gradient of the whole concatenation, read back segment by segment.
            WeightPacking.PackTransposed(w, outF, segments, panels);
            float[] dyb = new float[outBlocks * stride];
            BlockedLayout.FromFeatureMajor(dy, count, outF, count, dyb, stride);
            float[] dxb = new float[inBlocks * stride];
            BlockedGemm.InputGradient(dyb, stride, outBlocks, panels, dxb, stride, inBlocks, count, false, default, 0, path);
            float[] dx = new float[inF * count], dxExpected = new float[inF * count];
            row = 0;
            block = 0;
            foreach (int s in segments)
            {
                BlockedLayout.ToFeatureMajor(dxb, stride, block * 16, s, count, dx.AsSpan(row * count), count, accumulate: false);
                row += s;
                block += BlockedLayout.BlockCount(s);
            }

            GemmReference.InputGradient(w, dy, inF, outF, count, dxExpected);
            AssertClose(dxExpected, dx, outF);

            // Weight gradient through the padded partial.
            int paddedIn = WeightPacking.PaddedInputWidth(segments);
            float[] partial = new float[outBlocks * 16 * paddedIn];
            BlockedGemm.WeightGradient(dyb, stride, outBlocks, xb, stride, inBlocks, count, partial, paddedIn, path);
            float[] dw = new float[outF * inF], dwExpected = new float[outF * inF];
            WeightPacking.AddWeightGradient(partial, outF, segments, dw);
            GemmReference.WeightGradient(dy, x, inF, outF, count, dwExpected);
            AssertClose(dwExpected, dw, count);
        }
    }

    [Fact]
    public void LayoutRoundTripKeepsValuesAndZeroesPadding()
    {
        var rng = new Random(5);
        foreach (int features in new[] { 1, 15, 16, 17, 90 })
        {
            int count = 37, stride = BlockedLayout.BlockStride(count) + 16;
            float[] x = Random(rng, features * count);
            float[] blocked = Enumerable.Repeat(float.NaN, BlockedLayout.BlockCount(features) * stride).ToArray();
            BlockedLayout.FromFeatureMajor(x, count, features, count, blocked, stride);
            for (int f = features; f < BlockedLayout.PaddedWidth(features); f++)
            {
                for (int p = 0; p < count; p++)
                {
                    Assert.Equal(0f, blocked[((f / 16) * stride) + (p * 16) + (f % 16)]);
                }
            }

            float[] back = new float[features * count];
            BlockedLayout.ToFeatureMajor(blocked, stride, 0, features, count, back, count, accumulate: false);
            Assert.Equal(x, back);
            BlockedLayout.ToFeatureMajor(blocked, stride, 0, features, count, back, count, accumulate: true);
            Assert.Equal(x.Select(v => v + v).ToArray(), back);
        }
    }

    [Fact]
    public void UndersizedBuffersAreRejected()
    {
        float[] panels = new float[WeightPacking.PackedLength(16, [16])];
        int stride = BlockedLayout.BlockStride(8);
        Assert.Throws<ArgumentException>(() => BlockedGemm.Forward(new float[(8 * 16) - 1], stride, 1, panels, default, new float[stride], stride, 1, 8, false));
        Assert.Throws<ArgumentException>(() => BlockedGemm.Forward(new float[stride], stride, 1, panels.AsSpan(1), default, new float[stride], stride, 1, 8, false));
        Assert.Throws<ArgumentException>(() => BlockedGemm.Forward(new float[stride], 8, 1, panels, default, new float[stride], stride, 1, 8, false));
        Assert.Throws<ArgumentException>(() => BlockedGemm.WeightGradient(new float[stride], stride, 1, new float[stride], stride, 1, 8, new float[255], 16));
        Assert.Throws<ArgumentException>(() => WeightPacking.PackForward(new float[15], 4, [4], new float[256]));
    }

    private static void CheckForward(SimdPath path, int inF, int outF, int count, bool relu, bool withBias, int seed)
    {
        var rng = new Random(seed);
        float[] w = Random(rng, outF * inF), b = withBias ? Random(rng, outF) : [], x = Random(rng, inF * count);
        int xs = BlockedLayout.BlockStride(count) + (16 * (seed % 3)), ys = BlockedLayout.BlockStride(count);
        int inBlocks = BlockedLayout.BlockCount(inF), outBlocks = BlockedLayout.BlockCount(outF);
        float[] xb = new float[inBlocks * xs];
        BlockedLayout.FromFeatureMajor(x, count, inF, count, xb, xs);
        float[] panels = new float[WeightPacking.PackedLength(outF, [inF])];
        WeightPacking.PackForward(w, outF, [inF], panels);
        float[] bias = [];
        if (withBias)
        {
            bias = new float[outBlocks * 16];
            b.CopyTo(bias, 0);
        }

        float[] yb = Enumerable.Repeat(float.NaN, outBlocks * ys).ToArray();
        BlockedGemm.Forward(xb, xs, inBlocks, panels, bias, yb, ys, outBlocks, count, relu, path);
        float[] y = new float[outF * count], expected = new float[outF * count];
        BlockedLayout.ToFeatureMajor(yb, ys, 0, outF, count, y, count, accumulate: false);
        GemmReference.Forward(w, b, x, inF, outF, count, expected, relu);
        AssertClose(expected, y, inF);
    }

    private static void CheckInputGradient(SimdPath path, int inF, int outF, int count, bool accumulate, bool masked, int seed)
    {
        var rng = new Random(seed);
        float[] w = Random(rng, outF * inF), dy = Random(rng, outF * count), prior = Random(rng, inF * count), mask = Random(rng, inF * count);
        int s = BlockedLayout.BlockStride(count) + 16;
        int inBlocks = BlockedLayout.BlockCount(inF), outBlocks = BlockedLayout.BlockCount(outF);
        float[] dyb = new float[outBlocks * s], dxb = new float[inBlocks * s], mb = new float[inBlocks * s];
        BlockedLayout.FromFeatureMajor(dy, count, outF, count, dyb, s);
        BlockedLayout.FromFeatureMajor(prior, count, inF, count, dxb, s);
        BlockedLayout.FromFeatureMajor(mask, count, inF, count, mb, s);
        float[] panels = new float[WeightPacking.PackedLength(outF, [inF])];
        WeightPacking.PackTransposed(w, outF, [inF], panels);
        BlockedGemm.InputGradient(dyb, s, outBlocks, panels, dxb, s, inBlocks, count, accumulate, masked ? mb : default, s, path);
        float[] dx = new float[inF * count], expected = new float[inF * count];
        BlockedLayout.ToFeatureMajor(dxb, s, 0, inF, count, dx, count, accumulate: false);
        GemmReference.InputGradient(w, dy, inF, outF, count, expected);
        for (int i = 0; i < expected.Length; i++)
        {
            float v = accumulate ? expected[i] + prior[i] : expected[i];
            expected[i] = masked && !(mask[i] > 0) ? 0f : v;
        }

        AssertClose(expected, dx, outF + 1);
    }

    private static void CheckWeightGradient(SimdPath path, int inF, int outF, int count, int seed)
    {
        var rng = new Random(seed);
        float[] x = Random(rng, inF * count), dy = Random(rng, outF * count);
        int s = BlockedLayout.BlockStride(count);
        int inBlocks = BlockedLayout.BlockCount(inF), outBlocks = BlockedLayout.BlockCount(outF);
        float[] xb = new float[inBlocks * s], dyb = new float[outBlocks * s];
        BlockedLayout.FromFeatureMajor(x, count, inF, count, xb, s);
        BlockedLayout.FromFeatureMajor(dy, count, outF, count, dyb, s);
        int paddedIn = inBlocks * 16;
        float[] start = Random(rng, outBlocks * 16 * paddedIn);
        float[] partial = (float[])start.Clone();
        BlockedGemm.WeightGradient(dyb, s, outBlocks, xb, s, inBlocks, count, partial, paddedIn, path);
        float[] dw = new float[outF * inF], expected = new float[outF * inF];
        float[] partialDelta = new float[partial.Length];
        for (int i = 0; i < partial.Length; i++)
        {
            partialDelta[i] = partial[i] - start[i];
        }

        WeightPacking.AddWeightGradient(partialDelta, outF, [inF], dw);
        GemmReference.WeightGradient(dy, x, inF, outF, count, expected);
        AssertClose(expected, dw, count + 1);

        // Padding rows and columns of the partial only ever receive zeros.
        for (int n = 0; n < outBlocks * 16; n++)
        {
            for (int k = 0; k < paddedIn; k++)
            {
                if (n >= outF || k >= inF)
                {
                    Assert.Equal(start[(n * paddedIn) + k], partial[(n * paddedIn) + k]);
                }
            }
        }

        float[] biasStart = Random(rng, outBlocks * 16);
        float[] biasPartial = (float[])biasStart.Clone();
        BlockedGemm.BiasGradient(dyb, s, outBlocks, count, biasPartial, path);
        float[] db = new float[outF];
        GemmReference.BiasGradient(dy, outF, count, db);
        for (int n = 0; n < outF; n++)
        {
            Assert.True(Math.Abs(biasPartial[n] - biasStart[n] - db[n]) <= 1e-5 * (count + 2), $"bias {n}: {biasPartial[n] - biasStart[n]} vs {db[n]}");
        }
    }

    /// <summary>Values in [-1, 1): float results with a reduction of length n match to ~1e-6 * n (absolute).</summary>
    private static void AssertClose(float[] expected, float[] actual, int reduction)
    {
        Assert.Equal(expected.Length, actual.Length);
        double tolerance = 2e-6 * (reduction + 4);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
            {
                Assert.Fail($"element {i}: expected {expected[i]:G9}, got {actual[i]:G9} (tolerance {tolerance:G3})");
            }
        }
    }

    private static float[] Random(Random rng, int n)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return a;
    }
}
