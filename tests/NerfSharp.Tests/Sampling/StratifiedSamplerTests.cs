using NerfSharp.Numerics;
using NerfSharp.Sampling;

namespace NerfSharp.Tests.Sampling;

public class StratifiedSamplerTests
{
    [Fact]
    public void DeterministicSamplesAreLinspaceBetweenNearAndFar()
    {
        var z = new float[2 * 5];
        StratifiedSampler.Sample([2f, 1f], [6f, 3f], 2, 5, linDisp: false, perturb: false, new Rng(1), z);
        Assert.Equal([2f, 3f, 4f, 5f, 6f, 1f, 1.5f, 2f, 2.5f, 3f], z);
    }

    [Fact]
    public void LinDispSamplesAreLinearInInverseDepth()
    {
        var z = new float[5];
        StratifiedSampler.Sample([1f], [4f], 1, 5, linDisp: true, perturb: false, new Rng(1), z);
        for (int k = 0; k < 5; k++)
        {
            double t = k / 4.0;
            Assert.Equal(1 / ((1 - t) + (0.25 * t)), z[k], 5);
        }
    }

    [Fact]
    public void PerturbedSamplesStayInTheirMidpointIntervalsAndAreReproducible()
    {
        const int rays = 50, n = 64;
        var near = new float[rays];
        var far = new float[rays];
        for (int r = 0; r < rays; r++)
        {
            near[r] = 2 + (0.01f * r);
            far[r] = 6 - (0.01f * r);
        }

        var baseline = new float[rays * n];
        StratifiedSampler.Sample(near, far, rays, n, false, false, new Rng(1), baseline);
        var rng = new Rng(42);
        var z = new float[rays * n];
        StratifiedSampler.Sample(near, far, rays, n, false, true, rng, z);

        double meanShift = 0;
        for (int r = 0; r < rays; r++)
        {
            for (int k = 0; k < n; k++)
            {
                int i = (r * n) + k;
                float lower = k == 0 ? baseline[i] : 0.5f * (baseline[i] + baseline[i - 1]);
                float upper = k == n - 1 ? baseline[i] : 0.5f * (baseline[i] + baseline[i + 1]);
                Assert.InRange(z[i], lower, upper);
                if (k > 0)
                {
                    Assert.True(z[i] >= z[i - 1]);
                }

                meanShift += z[i] - baseline[i];
            }
        }

        Assert.NotEqual(baseline, z);
        Assert.InRange(meanShift / (rays * n), -0.005, 0.005);

        // Same seed, same samples; exactly one draw per sample.
        var again = new float[rays * n];
        StratifiedSampler.Sample(near, far, rays, n, false, true, new Rng(42), again);
        Assert.Equal(z, again);
        var reference = new Rng(42);
        for (int i = 0; i < rays * n; i++)
        {
            reference.NextFloat();
        }

        Assert.Equal(reference.GetState(), rng.GetState());
    }

    [Fact]
    public void OneSamplePerRaySitsAtNear()
    {
        var z = new float[1];
        StratifiedSampler.Sample([2f], [6f], 1, 1, false, true, new Rng(3), z);
        Assert.Equal(2f, z[0]);
    }
}
