using NerfSharp.Sampling;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Sampling;

/// <summary>mip-NeRF 360's contraction in both norms: hand-computed values, and the backward against finite differences.</summary>
public sealed class SceneContractionTests
{
    [Theory]
    [InlineData(ContractionNorm.L2, 0.5f, -0.5f, 0.5f, 0.5f, -0.5f, 0.5f)] // |x| = 0.866: inside, identity
    [InlineData(ContractionNorm.L2, 2f, 0f, 0f, 1.5f, 0f, 0f)] // m = 2: (2 - 1/2) / 2 = 0.75
    [InlineData(ContractionNorm.L2, 3f, 4f, 0f, 1.08f, 1.44f, 0f)] // m = 5: (2 - 0.2) / 5 = 0.36
    [InlineData(ContractionNorm.L2, 0.5f, 0.5f, 0.9f, 0.4920247f, 0.4920247f, 0.8856444f)] // m = sqrt(1.31) = 1.144552: f = (2 - 1/m) / m = 0.984049
    [InlineData(ContractionNorm.LInfinity, 0.5f, 0.5f, 0.9f, 0.5f, 0.5f, 0.9f)] // m = 0.9: inside
    [InlineData(ContractionNorm.LInfinity, 3f, 4f, 0f, 1.3125f, 1.75f, 0f)] // m = 4: (2 - 0.25) / 4 = 0.4375
    [InlineData(ContractionNorm.LInfinity, -10f, 2f, 1f, -1.9f, 0.38f, 0.19f)] // m = 10: 1.9 / 10 = 0.19
    public void GoldenValues(ContractionNorm norm, float x, float y, float z, float ex, float ey, float ez)
    {
        var (cx, cy, cz) = SceneContraction.Forward(norm, x, y, z);
        Assert.Equal(ex, cx, 5);
        Assert.Equal(ey, cy, 5);
        Assert.Equal(ez, cz, 5);
    }

    [Fact]
    public void EverythingLandsInsideTheRadiusTwoSet()
    {
        var (x, y, z) = SceneContraction.Forward(ContractionNorm.L2, 1e6f, -3e6f, 2e6f);
        Assert.InRange(MathF.Sqrt((x * x) + (y * y) + (z * z)), 1.99f, 2f);
        var (a, b, c) = SceneContraction.Forward(ContractionNorm.LInfinity, 1e6f, -3e6f, 2e6f);
        Assert.InRange(MathF.Max(MathF.Abs(a), MathF.Max(MathF.Abs(b), MathF.Abs(c))), 1.99f, 2f);
    }

    [Theory]
    [InlineData(ContractionNorm.L2)]
    [InlineData(ContractionNorm.LInfinity)]
    public void BackwardMatchesFiniteDifferences(ContractionNorm norm)
    {
        // Points inside and outside, away from the kinks (m = 1, and ties of the largest coordinate for L-infinity).
        double[] points = [0.3, -0.2, 0.5, 1.7, 0.4, -0.9, -3.5, 2.0, 1.2, 0.2, -6.0, 2.5, 12.0, 30.0, -4.0];
        double[] r = GradientCheck.RandomWeights(points.Length, seed: 7);
        double Loss()
        {
            double sum = 0;
            for (int p = 0; p < points.Length; p += 3)
            {
                var (x, y, z) = Forward(norm, points[p], points[p + 1], points[p + 2]);
                sum += (r[p] * x) + (r[p + 1] * y) + (r[p + 2] * z);
            }

            return sum;
        }

        var analytic = new double[points.Length];
        for (int p = 0; p < points.Length; p += 3)
        {
            var (gx, gy, gz) = SceneContraction.Backward(norm, (float)points[p], (float)points[p + 1], (float)points[p + 2], (float)r[p], (float)r[p + 1], (float)r[p + 2]);
            analytic[p] = gx;
            analytic[p + 1] = gy;
            analytic[p + 2] = gz;
        }

        var result = GradientCheck.Check(points, Loss, analytic, probes: points.Length, eps: 1e-6, tolerance: 1e-5, floor: 1e-6);
        Assert.Equal(points.Length, result.Probes);
    }

    [Fact]
    public void SceneSpaceMapsContractedPointsIntoTheUnitCubeWithTheirGradient()
    {
        SceneSpace space = SceneSpace.Contracted(ContractionNorm.LInfinity);
        var (u, v, w) = space.ToUnit(3f, 4f, 0f);
        Assert.Equal((1.3125f + 2f) / 4f, u, 6);
        Assert.Equal((1.75f + 2f) / 4f, v, 6);
        Assert.Equal(0.5f, w, 6);
        var (gx, gy, gz) = space.Backward(0.2f, 0.1f, 0.3f, 1f, 2f, 3f);
        Assert.Equal((0.25f, 0.5f, 0.75f), (gx, gy, gz));
        SceneSpace box = SceneSpace.Bounded(SceneBox.Cube(1.5f));
        Assert.Equal((0.5f, 0.5f, 0.5f), box.ToUnit(0, 0, 0));
        Assert.False(box.Contains(2f, 0, 0));
        Assert.True(space.Contains(2f, 0, 0));
    }

    /// <summary>The contraction in double (the reference the float backward is checked against).</summary>
    private static (double X, double Y, double Z) Forward(ContractionNorm norm, double x, double y, double z)
    {
        double m = norm == ContractionNorm.L2 ? Math.Sqrt((x * x) + (y * y) + (z * z)) : Math.Max(Math.Abs(x), Math.Max(Math.Abs(y), Math.Abs(z)));
        if (m <= 1)
        {
            return (x, y, z);
        }

        double f = (2 - (1 / m)) / m;
        return (x * f, y * f, z * f);
    }
}
