using NerfSharp.Kernels;

namespace NerfSharp.Tests.Kernels;

/// <summary>
/// The layout conversions (8x8 transpose path and scalar path) against the element formula
/// (feature f, point p) &lt;-&gt; blocked[(f / 16) * stride + p * 16 + f % 16], for every point count 0..257
/// (every 8-point tail) and feature counts and offsets that leave every lane-group tail.
/// </summary>
public sealed class BlockedLayoutTests
{
    public static readonly TheoryData<SimdPath> Paths = new() { SimdPath.Scalar, SimdPath.Auto };

    [Theory]
    [MemberData(nameof(Paths))]
    public void FromFeatureMajorPlacesEveryElementAndZeroesPadding(SimdPath path)
    {
        var rng = new Random(1);
        for (int count = 0; count <= 257; count++)
        {
            foreach (int features in new[] { 1, 7, 8, 9, 16, 17, 24, 31, 32, 40 })
            {
                int rowStride = count + (count % 3), stride = BlockedLayout.BlockStride(count);
                float[] x = Enumerable.Range(0, Math.Max(0, ((features - 1) * rowStride) + count)).Select(_ => (float)rng.NextDouble()).ToArray();
                float[] blocked = Enumerable.Repeat(float.NaN, BlockedLayout.BlockCount(features) * stride).ToArray();
                BlockedLayout.FromFeatureMajor(x, rowStride, features, count, blocked, stride, path);
                for (int f = 0; f < BlockedLayout.PaddedWidth(features); f++)
                {
                    for (int p = 0; p < count; p++)
                    {
                        float expected = f < features ? x[(f * rowStride) + p] : 0f;
                        Assert.Equal(expected, blocked[((f / 16) * stride) + (p * 16) + (f % 16)]);
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ToFeatureMajorCopiesOrAddsEveryElement(SimdPath path)
    {
        var rng = new Random(2);
        for (int count = 0; count <= 257; count++)
        {
            foreach (var (first, features) in new[] { (0, 1), (0, 8), (0, 16), (0, 31), (3, 13), (5, 20), (8, 8), (9, 30), (16, 3), (0, 40) })
            {
                int stride = BlockedLayout.BlockStride(count), rowStride = count + 5;
                float[] blocked = Enumerable.Range(0, BlockedLayout.BlockCount(first + features) * stride).Select(_ => (float)rng.NextDouble()).ToArray();
                float[] start = Enumerable.Range(0, features * rowStride).Select(_ => (float)rng.NextDouble()).ToArray();
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] y = (float[])start.Clone();
                    BlockedLayout.ToFeatureMajor(blocked, stride, first, features, count, y, rowStride, accumulate, path);
                    for (int r = 0; r < features; r++)
                    {
                        for (int p = 0; p < rowStride; p++)
                        {
                            int i = (r * rowStride) + p;
                            if (p >= count)
                            {
                                Assert.Equal(start[i], y[i]); // untouched past the count
                                continue;
                            }

                            int f = first + r;
                            float v = blocked[((f / 16) * stride) + (p * 16) + (f % 16)];
                            Assert.Equal(accumulate ? start[i] + v : v, y[i]);
                        }
                    }
                }
            }
        }
    }
}
