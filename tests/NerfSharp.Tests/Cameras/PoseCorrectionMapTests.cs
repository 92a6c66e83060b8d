using NerfSharp.Cameras;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cameras;

/// <summary>
/// The SO3xR3 and SE3 exponential maps of <see cref="PoseCorrectionMap"/>: golden values, rotations that are rotations, and
/// the backward against central differences in double precision on both sides of the series/closed-form switch.
/// </summary>
public sealed class PoseCorrectionMapTests
{
    [Fact]
    public void ZeroCorrectionIsTheIdentity()
    {
        foreach (var mode in new[] { CameraOptimizerMode.SO3xR3, CameraOptimizerMode.SE3 })
        {
            var (r, t) = Forward(mode, [0, 0, 0, 0, 0, 0]);
            Assert.Equal([1, 0, 0, 0, 1, 0, 0, 0, 1], r);
            Assert.Equal([0, 0, 0], t);
        }
    }

    [Fact]
    public void QuarterTurnAboutZGivesHandComputedRotationAndTranslation()
    {
        double h = Math.PI / 2;

        // R = [[0,-1,0],[1,0,0],[0,0,1]]; SO3xR3 keeps t = v; SE3 moves x along the quarter arc: t = (sin h / h, (1 - cos h) / h, 0) = (2/pi, 2/pi, 0).
        var (r, t) = Forward(CameraOptimizerMode.SO3xR3, [1, 0, 0, 0, 0, h]);
        AssertClose([0, -1, 0, 1, 0, 0, 0, 0, 1], r, 1e-15);
        AssertClose([1, 0, 0], t, 0);
        (r, t) = Forward(CameraOptimizerMode.SE3, [1, 0, 0, 0, 0, h]);
        AssertClose([0, -1, 0, 1, 0, 0, 0, 0, 1], r, 1e-15);
        AssertClose([2 / Math.PI, 2 / Math.PI, 0], t, 1e-15);
    }

    [Theory]
    [InlineData(1e-9)]
    [InlineData(1e-3)]
    [InlineData(0.3)]
    [InlineData(0.4999999)]
    [InlineData(0.5000001)]
    [InlineData(1.7)]
    [InlineData(3.0)]
    public void RotationIsRodriguesAndOrthonormal(double angle)
    {
        var rng = new Random(17);
        double[] axis = RandomUnit(rng);
        var (r, _) = Forward(CameraOptimizerMode.SO3xR3, [0, 0, 0, axis[0] * angle, axis[1] * angle, axis[2] * angle]);
        double[] u = RandomUnit(rng);

        // Rodrigues on a vector: u cos + (k x u) sin + k (k . u)(1 - cos).
        double c = Math.Cos(angle), s = Math.Sin(angle), kDotU = (axis[0] * u[0]) + (axis[1] * u[1]) + (axis[2] * u[2]);
        double[] cross = [(axis[1] * u[2]) - (axis[2] * u[1]), (axis[2] * u[0]) - (axis[0] * u[2]), (axis[0] * u[1]) - (axis[1] * u[0])];
        for (int i = 0; i < 3; i++)
        {
            double expected = (u[i] * c) + (cross[i] * s) + (axis[i] * kDotU * (1 - c));
            double got = (r[3 * i] * u[0]) + (r[(3 * i) + 1] * u[1]) + (r[(3 * i) + 2] * u[2]);
            Assert.Equal(expected, got, 1e-14);
        }

        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double dot = (r[i] * r[j]) + (r[3 + i] * r[3 + j]) + (r[6 + i] * r[6 + j]);
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 1e-14);
            }
        }

        Assert.Equal(angle, PoseCorrectionMap.Angle(r), angle < 1e-6 ? 1e-7 : 1e-12);
    }

    [Theory]
    [InlineData(CameraOptimizerMode.SO3xR3, 1e-4)]
    [InlineData(CameraOptimizerMode.SO3xR3, 0.05)]
    [InlineData(CameraOptimizerMode.SO3xR3, 0.49)]
    [InlineData(CameraOptimizerMode.SO3xR3, 0.51)]
    [InlineData(CameraOptimizerMode.SO3xR3, 2.5)]
    [InlineData(CameraOptimizerMode.SE3, 1e-4)]
    [InlineData(CameraOptimizerMode.SE3, 0.05)]
    [InlineData(CameraOptimizerMode.SE3, 0.49)]
    [InlineData(CameraOptimizerMode.SE3, 0.51)]
    [InlineData(CameraOptimizerMode.SE3, 2.5)]
    public void BackwardMatchesCentralDifferences(CameraOptimizerMode mode, double angle)
    {
        var rng = new Random(3 + (int)(angle * 1000));
        for (int trial = 0; trial < 4; trial++)
        {
            double[] axis = RandomUnit(rng);
            double[] xi = [(rng.NextDouble() * 2) - 1, (rng.NextDouble() * 2) - 1, (rng.NextDouble() * 2) - 1, axis[0] * angle, axis[1] * angle, axis[2] * angle];
            double[] wr = GradientCheck.RandomWeights(9, seed: trial);
            double[] wt = GradientCheck.RandomWeights(3, seed: 100 + trial);
            double Loss()
            {
                var (r, t) = Forward(mode, xi);
                double l = 0;
                for (int i = 0; i < 9; i++)
                {
                    l += wr[i] * r[i];
                }

                for (int i = 0; i < 3; i++)
                {
                    l += wt[i] * t[i];
                }

                return l;
            }

            var analytic = new double[6];
            PoseCorrectionMap.Backward(mode, xi, wr, wt, analytic);
            var result = GradientCheck.Check(xi, Loss, analytic, probes: 6, eps: Math.Min(1e-6, angle * 1e-3), tolerance: 1e-6, floor: 1e-9);
            Assert.Equal(6, result.Probes);
        }
    }

    [Fact]
    public void SeriesAndClosedFormAgreeAtTheSwitch()
    {
        double[] axis = RandomUnit(new Random(5));
        foreach (var mode in new[] { CameraOptimizerMode.SO3xR3, CameraOptimizerMode.SE3 })
        {
            double[] below = [0.3, -0.2, 0.7, axis[0] * 0.5 * (1 - 1e-12), axis[1] * 0.5 * (1 - 1e-12), axis[2] * 0.5 * (1 - 1e-12)];
            double[] above = [0.3, -0.2, 0.7, axis[0] * 0.5 * (1 + 1e-12), axis[1] * 0.5 * (1 + 1e-12), axis[2] * 0.5 * (1 + 1e-12)];
            var (rb, tb) = Forward(mode, below);
            var (ra, ta) = Forward(mode, above);
            AssertClose(rb, ra, 1e-11);
            AssertClose(tb, ta, 1e-11);
            double[] w9 = GradientCheck.RandomWeights(9), w3 = GradientCheck.RandomWeights(3, seed: 2);
            var gb = new double[6];
            var ga = new double[6];
            PoseCorrectionMap.Backward(mode, below, w9, w3, gb);
            PoseCorrectionMap.Backward(mode, above, w9, w3, ga);
            AssertClose(gb, ga, 1e-11);
        }
    }

    private static (double[] R, double[] T) Forward(CameraOptimizerMode mode, double[] xi)
    {
        var r = new double[9];
        var t = new double[3];
        PoseCorrectionMap.Forward(mode, xi, r, t);
        return (r, t);
    }

    private static double[] RandomUnit(Random rng)
    {
        double x = (rng.NextDouble() * 2) - 1, y = (rng.NextDouble() * 2) - 1, z = (rng.NextDouble() * 2) - 1;
        double n = Math.Sqrt((x * x) + (y * y) + (z * z));
        return [x / n, y / n, z / n];
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
