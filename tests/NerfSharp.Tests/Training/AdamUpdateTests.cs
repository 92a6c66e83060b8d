using NerfSharp.Parameters;
using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

/// <summary>Every vector path of the Adam kernel against the scalar reference, for every tail length 0..257.</summary>
public sealed class AdamUpdateTests
{
    private delegate void Kernel(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamUpdate.Coefficients c);

    public static TheoryData<string> Paths => new() { "Vector512", "Vector256", "Dispatch" };

    [Theory]
    [MemberData(nameof(Paths))]
    public void VectorPathEqualsScalarForAllTailLengths(string path)
    {
        Kernel kernel = path switch
        {
            "Vector512" => AdamUpdate.ApplyVector512,
            "Vector256" => AdamUpdate.ApplyVector256,
            _ => AdamUpdate.Apply,
        };
        var c = AdamUpdate.For(new AdamConfig(), step: 3, learningRate: 5e-4);
        var rng = new Numerics.Rng(11);
        for (int n = 0; n <= 257; n++)
        {
            var p = new float[n];
            var g = new float[n];
            var m = new float[n];
            var v = new float[n];
            for (int i = 0; i < n; i++)
            {
                p[i] = rng.NextGaussian();
                g[i] = rng.NextGaussian() * 0.01f;
                m[i] = rng.NextGaussian() * 0.01f;
                v[i] = rng.NextFloat() * 1e-4f;
            }

            // Padding around the slice shows no element outside it is touched.
            var (pr, gr, mr, vr) = ((float[])p.Clone(), (float[])g.Clone(), (float[])m.Clone(), (float[])v.Clone());
            var pp = new float[n + 2];
            var mp = new float[n + 2];
            var vp = new float[n + 2];
            p.CopyTo(pp, 1);
            m.CopyTo(mp, 1);
            v.CopyTo(vp, 1);
            kernel(pp.AsSpan(1, n), g, mp.AsSpan(1, n), vp.AsSpan(1, n), c);
            AdamUpdate.ApplyScalar(pr, gr, mr, vr, c, 0);

            Assert.Equal(pr, pp.AsSpan(1, n).ToArray());
            Assert.Equal(mr, mp.AsSpan(1, n).ToArray());
            Assert.Equal(vr, vp.AsSpan(1, n).ToArray());
            Assert.True(pp[0] == 0 && pp[n + 1] == 0 && mp[0] == 0 && mp[n + 1] == 0 && vp[0] == 0 && vp[n + 1] == 0, $"n={n}: wrote outside the slice");
            if (n > 0)
            {
                Assert.NotEqual(p, pr);
            }
        }
    }

    [Fact]
    public void CoefficientsFollowTorchBiasCorrection()
    {
        var c = AdamUpdate.For(new AdamConfig(0.9, 0.999, 1e-8), step: 2, learningRate: 1e-3);
        Assert.Equal((float)0.1, c.OneMinusBeta1);
        Assert.Equal((float)0.999, c.Beta2);
        Assert.Equal((float)(1 - 0.999), c.OneMinusBeta2);
        Assert.Equal((float)Math.Sqrt(1 - (0.999 * 0.999)), c.BiasCorrection2Sqrt);
        Assert.Equal((float)1e-8, c.Epsilon);
        Assert.Equal((float)(-1e-3 / (1 - (0.9 * 0.9))), c.NegativeStepSize);
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var c = AdamUpdate.For(new AdamConfig(), 1, 1e-3);
        Assert.Throws<ArgumentException>(() => AdamUpdate.Apply(new float[4], new float[3], new float[4], new float[4], c));
    }
}
