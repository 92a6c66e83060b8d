namespace NerfSharp.Tests.Testing;

/// <summary>
/// Checks the finite-difference harness itself: it accepts exact gradients of functions with known
/// derivatives, rejects a wrong one, and divides by the step the buffer really took (float rounding).
/// </summary>
public class GradientCheckSelfTests
{
    [Fact]
    public void AcceptsExactGradientOfSmoothDoubleFunction()
    {
        // L(x) = sum_i x_i^3 / 3 + sin(x_i) x_{i+1}; dL/dx_i = x_i^2 + cos(x_i) x_{i+1} + sin(x_{i-1}).
        double[] x = RandomVector(40, 3);
        double[] analytic = SmoothGradient(x);
        var result = GradientCheck.Check(x, () => SmoothLoss(x), analytic, probes: 40, eps: 1e-6, tolerance: 1e-7);
        Assert.Equal(40, result.Probes);
        Assert.True(result.MaxError < 1e-7, $"max error {result.MaxError}");
    }

    [Fact]
    public void LeavesTheBufferUnchanged()
    {
        double[] x = RandomVector(16, 4);
        double[] before = (double[])x.Clone();
        GradientCheck.Check(x, () => SmoothLoss(x), SmoothGradient(x), probes: 16);
        Assert.Equal(before, x);
    }

    [Fact]
    public void CatchesAGradientWrongInOneEntry()
    {
        double[] x = RandomVector(30, 5);
        double[] analytic = SmoothGradient(x);
        analytic[17] *= 1.01;
        var ex = Assert.ThrowsAny<Xunit.Sdk.XunitException>(
            () => GradientCheck.Check(x, () => SmoothLoss(x), analytic, probes: 30, eps: 1e-6, tolerance: 1e-5));
        Assert.Contains("index 17", ex.Message);
    }

    [Fact]
    public void CatchesAGradientWithASignError()
    {
        float[] x = { 0.3f, -1.2f, 0.7f, 2.0f };
        float[] analytic = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            analytic[i] = -2 * x[i]; // true derivative of sum x^2 is +2x
        }

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => GradientCheck.Check(x, () => SumSquares(x), analytic, probes: 4));
    }

    [Fact]
    public void CatchesAGradientMissingAFactorOfTwo()
    {
        double[] x = RandomVector(8, 6);
        double[] analytic = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            analytic[i] = x[i]; // half of d/dx sum x^2
        }

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => GradientCheck.Check(x, () => SumSquaresD(x), analytic, probes: 8));
    }

    [Fact]
    public void FloatBufferUsesTheStepActuallyTaken()
    {
        // Near 1000 a float holds steps of 2^-14 (6.1e-5), so x +- 1e-3 is rounded and the step taken differs
        // from 2e-3 by up to a few percent. For a linear loss the numeric derivative is exact only when the
        // harness divides by the step the buffer really took.
        float[] x = { 1000.3f, -999.7f, 1234.567f, 777.77f, 1000.01f };
        float[] c = { 1.5f, -2.25f, 0.75f, 3f, -1f };
        double Loss()
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                s += c[i] * (double)x[i];
            }

            return s;
        }

        var result = GradientCheck.Check(x, Loss, c, probes: x.Length, eps: 1e-3, tolerance: 1e-9, floor: 1e-12);
        Assert.True(result.MaxError < 1e-9, $"max error {result.MaxError}");
    }

    [Fact]
    public void FloatBufferAcceptsExactGradientOfSmoothFunction()
    {
        float[] x = { 0.25f, -0.5f, 1.5f, 0.125f, -2f, 0.9f };
        float[] analytic = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            analytic[i] = 2 * x[i];
        }

        var result = GradientCheck.Check(x, () => SumSquares(x), analytic, probes: x.Length, eps: 1e-3, tolerance: 1e-4);
        Assert.True(result.MaxError < 1e-4);
    }

    [Fact]
    public void EpsBelowResolutionIsReportedNotDividedByZero()
    {
        float[] x = { 1e6f };
        float[] analytic = { 2e6f };
        var ex = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => GradientCheck.Check(x, () => SumSquares(x), analytic, probes: 1, eps: 1e-4));
        Assert.Contains("resolution", ex.Message);
    }

    private static double[] RandomVector(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (rng.NextDouble() * 4) - 2;
        }

        return x;
    }

    private static double SmoothLoss(double[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i] * x[i] * x[i] / 3;
            if (i + 1 < x.Length)
            {
                s += Math.Sin(x[i]) * x[i + 1];
            }
        }

        return s;
    }

    private static double[] SmoothGradient(double[] x)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            g[i] = x[i] * x[i];
            if (i + 1 < x.Length)
            {
                g[i] += Math.Cos(x[i]) * x[i + 1];
            }

            if (i > 0)
            {
                g[i] += Math.Sin(x[i - 1]);
            }
        }

        return g;
    }

    private static double SumSquares(float[] x)
    {
        double s = 0;
        foreach (float v in x)
        {
            s += (double)v * v;
        }

        return s;
    }

    private static double SumSquaresD(double[] x)
    {
        double s = 0;
        foreach (double v in x)
        {
            s += v * v;
        }

        return s;
    }
}
