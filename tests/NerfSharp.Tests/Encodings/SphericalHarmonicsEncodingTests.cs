using NerfSharp.Encodings;
using NerfSharp.Tests.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Encodings;

/// <summary>
/// The encoding against the closed-form real spherical harmonics (tiny-cuda-nn's sign convention), written out here
/// in double from their sqrt/pi definitions, hand-computed golden values, and a finite-difference check of the
/// input gradient.
/// </summary>
public class SphericalHarmonicsEncodingTests
{
    private static readonly double SqrtPi = Math.Sqrt(Math.PI);

    [Fact]
    public void GoldenValuesForAxisAndDiagonalDirections()
    {
        double s = 1 / Math.Sqrt(3);

        // (0, 0, 1): Y0 = 1/(2 sqrt pi) = 0.2820948; Y2 = sqrt3/(2 sqrt pi) = 0.4886025;
        // Y6 = sqrt5 (3 - 1)/(4 sqrt pi) = 0.6307831; Y12 = sqrt7 (5 - 3)/(4 sqrt pi) = 0.7463527; the rest 0.
        CheckGolden(0, 0, 1, [0.2820948, 0, 0.4886025, 0, 0, 0, 0.6307831, 0, 0, 0, 0, 0, 0.7463527, 0, 0, 0]);

        // (1, 0, 0): Y3 = -0.4886025; Y6 = -sqrt5/(4 sqrt pi) = -0.3153916; Y8 = sqrt15/(4 sqrt pi) = 0.5462742;
        // Y13 = sqrt42/(8 sqrt pi) = 0.4570458; Y15 = -sqrt70/(8 sqrt pi) = -0.5900436.
        CheckGolden(1, 0, 0, [0.2820948, 0, 0, -0.4886025, 0, 0, -0.3153916, 0, 0.5462742, 0, 0, 0, 0, 0.4570458, 0, -0.5900436]);

        // (0, 1, 0): Y1 = -0.4886025; Y6 = -0.3153916; Y8 = -0.5462742; Y9 = sqrt70/(8 sqrt pi) = 0.5900436; Y11 = 0.4570458.
        CheckGolden(0, 1, 0, [0.2820948, -0.4886025, 0, 0, 0, 0, -0.3153916, 0, -0.5462742, 0.5900436, 0, 0.4570458, 0, 0, 0, 0]);

        // (1, 1, 1)/sqrt3: band 1 = +-0.4886025 s = +-0.2820948; xy = 1/3 so Y4 = sqrt15/(6 sqrt pi) = 0.3641828;
        // 3z^2 - 1 = 0 and x^2 - y^2 = 0 so Y6 = Y8 = Y14 = 0; Y9 = sqrt70 s (1 - 1)... = sqrt70 s (-2/3)/(8 sqrt pi) = -0.2271079;
        // Y10 = sqrt105 s^3/(2 sqrt pi) = 0.5562984; Y11 = Y13 = sqrt42 s (-2/3)/(8 sqrt pi) = -0.1759170;
        // Y12 = sqrt7 s (-4/3)/(4 sqrt pi) = -0.2872713; Y15 = sqrt70 s (2/3)/(8 sqrt pi) = 0.2271079.
        CheckGolden(s, s, s, [0.2820948, -0.2820948, 0.2820948, -0.2820948, 0.3641828, -0.3641828, 0, -0.3641828, 0, -0.2271079, 0.5562984, -0.1759170, -0.2872713, -0.1759170, 0, 0.2271079]);

        // (0.6, 0, -0.8): Y2 = -0.8 * 0.4886025 = -0.3908820; Y3 = -0.2931615; Y6 = sqrt5 (3 * 0.64 - 1)/(4 sqrt pi) = 0.2901602;
        // Y7 = sqrt15 * 0.48/(2 sqrt pi) = 0.5244232; Y8 = sqrt15 * 0.36/(4 sqrt pi) = 0.1966587; Y12 = sqrt7 (-0.8)(3.2 - 3)/(4 sqrt pi) = -0.0597082;
        // Y13 = sqrt42 * 0.6 (1 - 3.2)/(8 sqrt pi) = -0.6033005; Y14 = sqrt105 (-0.8)(0.36)/(4 sqrt pi) = -0.4162480; Y15 = -sqrt70 * 0.216/(8 sqrt pi) = -0.1274494.
        CheckGolden(0.6, 0, -0.8, [0.2820948, 0, -0.3908820, -0.2931615, 0, 0, 0.2901602, 0.5244232, 0.1966587, 0, 0, 0, -0.0597082, -0.6033005, -0.4162480, -0.1274494]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ForwardMatchesTheClosedFormPolynomials(int degree)
    {
        const int count = 53;
        var encoding = new SphericalHarmonicsEncoding(degree);
        Assert.Equal(degree * degree, encoding.OutputWidth);
        Assert.Equal(3, encoding.InputWidth);
        Assert.Equal(0, encoding.ParameterCount);
        float[] input = RandomDirections(count, seed: degree);
        var output = new float[encoding.OutputWidth * count];
        encoding.Forward(input, count, output, encoding.CreateContext(count));
        var expected = new double[output.Length];
        for (int i = 0; i < count; i++)
        {
            double[] y = Reference(input[i], input[count + i], input[(2 * count) + i]);
            for (int k = 0; k < degree * degree; k++)
            {
                expected[(k * count) + i] = y[k];
            }
        }

        ToleranceAssert.AllClose(expected, output, 2e-7, 2e-6, $"degree {degree}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void InputGradientPassesTheFiniteDifferenceCheck(int degree)
    {
        const int count = 41;
        var encoding = new SphericalHarmonicsEncoding(degree);
        int width = encoding.OutputWidth;
        float[] input = RandomDirections(count, seed: 10 + degree);
        double[] r = GradientCheck.RandomWeights(width * count, seed: degree);
        var context = encoding.CreateContext(count);
        encoding.Forward(input, count, new float[width * count], context);
        var dLdOutput = new float[width * count];
        for (int i = 0; i < dLdOutput.Length; i++)
        {
            dLdOutput[i] = (float)r[i];
        }

        var dLdInput = new float[3 * count];
        dLdInput.AsSpan().Fill(float.NaN);
        encoding.Backward(context, dLdOutput, dLdInput);
        if (degree == 1)
        {
            Assert.All(dLdInput, g => Assert.Equal(0f, g));
            return;
        }

        // L(d) = sum_k,i r[k,i] Y_k(d_i) with the closed form in double; the analytic gradient is the float kernel's.
        double[] x = ToleranceAssert.ToDoubles(input);
        double Loss()
        {
            double sum = 0;
            for (int i = 0; i < count; i++)
            {
                double[] y = Reference(x[i], x[count + i], x[(2 * count) + i]);
                for (int k = 0; k < width; k++)
                {
                    sum += r[(k * count) + i] * y[k];
                }
            }

            return sum;
        }

        GradientCheck.Check(x, Loss, ToleranceAssert.ToDoubles(dLdInput), probes: 3 * count, eps: 1e-6, tolerance: 1e-4, floor: 1e-4);
    }

    [Fact]
    public void BackwardWithEmptyInputGradientDoesNothing()
    {
        var encoding = new SphericalHarmonicsEncoding();
        var context = encoding.CreateContext(4);
        encoding.Forward(RandomDirections(4, 1), 4, new float[64], context);
        encoding.Backward(context, new float[64], []);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SphericalHarmonicsEncoding(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SphericalHarmonicsEncoding(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoding.Forward(new float[15], 5, new float[80], context));
    }

    /// <summary>Unit directions, feature-major [3][count].</summary>
    internal static float[] RandomDirections(int count, int seed)
    {
        var rng = new Random(seed);
        var d = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            double x = (rng.NextDouble() * 2) - 1, y = (rng.NextDouble() * 2) - 1, z = (rng.NextDouble() * 2) - 1;
            double n = Math.Sqrt((x * x) + (y * y) + (z * z));
            d[i] = (float)(x / n);
            d[count + i] = (float)(y / n);
            d[(2 * count) + i] = (float)(z / n);
        }

        return d;
    }

    /// <summary>Bands 0..3 of the real spherical harmonics in tiny-cuda-nn's order and signs, from their definitions.</summary>
    private static double[] Reference(double x, double y, double z)
    {
        double p = SqrtPi;
        return
        [
            1 / (2 * p),
            -Math.Sqrt(3) * y / (2 * p),
            Math.Sqrt(3) * z / (2 * p),
            -Math.Sqrt(3) * x / (2 * p),
            Math.Sqrt(15) * x * y / (2 * p),
            -Math.Sqrt(15) * y * z / (2 * p),
            Math.Sqrt(5) * ((3 * z * z) - 1) / (4 * p),
            -Math.Sqrt(15) * x * z / (2 * p),
            Math.Sqrt(15) * ((x * x) - (y * y)) / (4 * p),
            Math.Sqrt(70) * y * ((-3 * x * x) + (y * y)) / (8 * p),
            Math.Sqrt(105) * x * y * z / (2 * p),
            Math.Sqrt(42) * y * (1 - (5 * z * z)) / (8 * p),
            Math.Sqrt(7) * z * ((5 * z * z) - 3) / (4 * p),
            Math.Sqrt(42) * x * (1 - (5 * z * z)) / (8 * p),
            Math.Sqrt(105) * z * ((x * x) - (y * y)) / (4 * p),
            Math.Sqrt(70) * x * ((-x * x) + (3 * y * y)) / (8 * p),
        ];
    }

    private static void CheckGolden(double x, double y, double z, double[] golden)
    {
        ToleranceAssert.AllClose(golden, Reference(x, y, z), 6e-8, 0, $"closed form at ({x}, {y}, {z})");
        var encoding = new SphericalHarmonicsEncoding(4);
        var output = new float[16];
        encoding.Forward([(float)x, (float)y, (float)z], 1, output, encoding.CreateContext(1));
        ToleranceAssert.AllClose(golden, output, 3e-7, 0, $"encoding at ({x}, {y}, {z})");
    }
}
