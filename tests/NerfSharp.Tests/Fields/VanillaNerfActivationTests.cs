using NerfSharp.Fields;
using NerfSharp.Tests.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Fields;

public class VanillaNerfActivationTests
{
    [Fact]
    public void ForwardIsReluAndSigmoidForEveryTailLength()
    {
        var rng = new Random(2);
        for (int count = 0; count <= 41; count++)
        {
            float[] raw = Random(rng, 4 * count, 6);
            foreach (bool withNoise in new[] { false, true })
            {
                float[] noise = withNoise ? Random(rng, count, 1) : [];
                var density = new float[count];
                var color = new float[3 * count];
                VanillaNerfActivation.Forward(raw, count, noise, density, color);
                var (refDensity, refColor) = Reference(ToleranceAssert.ToDoubles(raw), count, ToleranceAssert.ToDoubles(noise));
                ToleranceAssert.AllClose(refDensity, density, 1e-6, 1e-6, $"density, count {count}");
                ToleranceAssert.AllClose(refColor, color, 1e-6, 1e-6, $"color, count {count}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsPassTheFiniteDifferenceCheck(bool withNoise)
    {
        const int count = 29;
        var rng = new Random(withNoise ? 13 : 12);
        float[] raw = Random(rng, 4 * count, 4);
        float[] noise = withNoise ? Random(rng, count, 1) : [];
        double[] rDensity = GradientCheck.RandomWeights(count, 1);
        double[] rColor = GradientCheck.RandomWeights(3 * count, 2);
        var dRaw = new float[4 * count];
        VanillaNerfActivation.Backward(raw, count, noise, ToleranceAssert.ToFloats(rDensity), ToleranceAssert.ToFloats(rColor), dRaw);

        double Loss()
        {
            var (d, c) = Reference(ToleranceAssert.ToDoubles(raw), count, ToleranceAssert.ToDoubles(noise));
            double l = 0;
            for (int i = 0; i < count; i++)
            {
                l += rDensity[i] * d[i];
            }

            for (int i = 0; i < 3 * count; i++)
            {
                l += rColor[i] * c[i];
            }

            return l;
        }

        // Probes stay away from the ReLU kink (raw_sigma + noise = 0).
        bool NearKink(int i) => i >= 3 * count && Math.Abs(raw[i] + (withNoise ? noise[i - (3 * count)] : 0)) < 0.01;
        GradientCheck.Check(raw, Loss, dRaw, probes: 4 * count, eps: 1e-3, tolerance: 1e-3, floor: 1e-4, skip: NearKink);
    }

    [Fact]
    public void DensityGradientIsZeroWhereTheReluIsOff()
    {
        float[] raw = [0.1f, -0.2f, 0, 0, 0.3f, 0.4f, -0.5f, 0]; // count 2, rows r, g, b, sigma
        var dRaw = new float[8];
        VanillaNerfActivation.Backward(raw, 2, [0.5f, -0.25f], [3f, 4f], new float[6], dRaw);
        Assert.Equal(0f, dRaw[6]); // -0.5 + 0.5 = 0: PyTorch's relu'(0) = 0
        Assert.Equal(0f, dRaw[7]); // 0 - 0.25 < 0
        VanillaNerfActivation.Backward(raw, 2, [], [3f, 4f], new float[6], dRaw);
        Assert.Equal(0f, dRaw[6]);
        Assert.Equal(0f, dRaw[7]);
        VanillaNerfActivation.Backward(raw, 2, [1f, 1f], [3f, 4f], new float[6], dRaw);
        Assert.Equal(3f, dRaw[6]);
        Assert.Equal(4f, dRaw[7]);
    }

    private static (double[] Density, double[] Color) Reference(double[] raw, int count, double[] noise)
    {
        var density = new double[count];
        var color = new double[3 * count];
        for (int s = 0; s < count; s++)
        {
            density[s] = Math.Max(0, raw[(3 * count) + s] + (noise.Length == 0 ? 0 : noise[s]));
        }

        for (int i = 0; i < 3 * count; i++)
        {
            color[i] = 1 / (1 + Math.Exp(-raw[i]));
        }

        return (density, color);
    }

    private static float[] Random(Random rng, int n, double scale)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (float)(((rng.NextDouble() * 2) - 1) * scale);
        }

        return v;
    }
}
