using NerfSharp.Sampling;

namespace NerfSharp.Tests.Sampling;

/// <summary>
/// nerfacto's initial sampler against hand-computed values (near 0.05, far 1000: g(near) = 0.025, g(far) = 0.9995), and the
/// proposal resampler's edges and ordering.
/// </summary>
public sealed class PiecewiseSamplerTests
{
    [Fact]
    public void SpacingAndItsInverse()
    {
        Assert.Equal(0.25f, PiecewiseSampler.Spacing(0.5f));
        Assert.Equal(0.75f, PiecewiseSampler.Spacing(2f));
        Assert.Equal(0.5f, PiecewiseSampler.InverseSpacing(0.25f));
        Assert.Equal(2f, PiecewiseSampler.InverseSpacing(0.75f));
    }

    [Fact]
    public void EvaluationEdgesAreUniformInSpacing()
    {
        // s = k/4 -> x = 0.9995 s + 0.025 (1 - s) -> t = 2x (x < 1/2) or 1 / (2 - 2x):
        // 0.05, 0.53725, 1/0.9755 = 1.0251153, 1/0.48825 = 2.0481311, 1/0.001 = 1000.
        float[] expected = [0.05f, 0.53725f, 1.0251153f, 2.0481311f, 1000f];
        var samples = new RaySamples(1, 4);
        float[] s = new float[4], e = new float[4];
        samples.Reset(1);
        samples.Samples = 4;
        PiecewiseSampler.Sample([0.05f], [1000f], 0, 1, 4, [], samples, s, e);
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(expected[k], samples.TStart[k], expected[k] * 2e-6f);
            Assert.Equal(expected[k + 1], samples.TEnd[k], expected[k + 1] * 2e-4f);
            Assert.Equal(k / 4f, s[k]);
            Assert.Equal((k + 1) / 4f, e[k]);
            Assert.Equal(0, samples.RayIndex[k]);
        }
    }

    [Fact]
    public void SingleJitterMovesEveryEdgeByOneOffset()
    {
        // u = 0.5, n = 4: edges 0.0625, 0.25, 0.5, 0.75, 0.9375 -> t(0.0625) = 2 (0.0625 * 0.9995 + 0.9375 * 0.025) = 0.1718125,
        // t(0.9375) = 1 / (2 - 2 * 0.93859375) = 8.1424936.
        var samples = new RaySamples(1, 4);
        float[] s = new float[4], e = new float[4];
        samples.Reset(1);
        samples.Samples = 4;
        PiecewiseSampler.Sample([0.05f], [1000f], 0, 1, 4, [0.5f], samples, s, e);
        Assert.Equal([0.0625f, 0.25f, 0.5f, 0.75f], s);
        Assert.Equal([0.25f, 0.5f, 0.75f, 0.9375f], e);
        Assert.Equal(0.1718125f, samples.TStart[0], 1e-6f);
        Assert.Equal(0.53725f, samples.TEnd[0], 1e-6f);
        Assert.Equal(8.1424936f, samples.TEnd[3], 1e-3f);
    }

    [Fact]
    public void ResamplingFollowsTheWeightsAndKeepsEdgesSorted()
    {
        // Two source intervals [0, 0.5], [0.5, 1]; all weight in the second. Padding 0.01 each:
        // cdf = [0, 0.01/1.02, 1]; evaluation u = (k + 1/2) / 3 = 1/6, 1/2, 5/6 -> edges 0.5 + (u - 0.0098) / 0.9902 * 0.5.
        var source = new RaySamples(1, 2);
        source.Reset(1);
        source.Samples = 2;
        float[] ss = new float[2], se = new float[2];
        PiecewiseSampler.Sample([0.05f], [1000f], 0, 1, 2, [], source, ss, se);
        var target = new RaySamples(1, 2);
        target.Reset(1);
        target.Samples = 2;
        float[] ts = new float[2], te = new float[2];
        ProposalResampler.Resample(source, ss, se, [0f, 1f], 1f, [0.05f], [1000f], 0, 1, 2, [], target, ts, te, new float[3]);
        double c1 = 0.01 / 1.02;
        double Edge(double u) => 0.5 + ((u - c1) / (1 - c1) * 0.5);
        Assert.Equal(Edge(1.0 / 6), ts[0], 1e-6);
        Assert.Equal(Edge(0.5), te[0], 1e-6);
        Assert.Equal(Edge(5.0 / 6), te[1], 1e-6);
        Assert.Equal(te[0], ts[1]);
        Assert.Equal(PiecewiseSampler.ToDistance(ts[0], PiecewiseSampler.Spacing(0.05f), PiecewiseSampler.Spacing(1000f)), target.TStart[0]);

        // Annealing exponent 0: the weights count as equal.
        ProposalResampler.Resample(source, ss, se, [0f, 1f], 0f, [0.05f], [1000f], 0, 1, 2, [], target, ts, te, new float[3]);
        Assert.Equal(0.5f, te[0], 1e-6f);
    }
}
