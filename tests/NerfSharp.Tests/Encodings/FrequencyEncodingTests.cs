using NerfSharp.Encodings;
using NerfSharp.IO;
using NerfSharp.Tests.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Encodings;

public class FrequencyEncodingTests
{
    [Theory]
    [InlineData("points", 10, 63)]
    [InlineData("dirs", 4, 27)]
    public void DoubleReferenceMatchesGetEmbedder(string name, int frequencies, int channels)
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("embed"));
        double[] x = golden[name].ToDoubles();
        double[] expected = golden[name + "_embedded"].ToDoubles();
        int count = x.Length / 3;
        double[] reference = ReferenceForward(x, count, 3, frequencies, includeInput: true);
        Assert.Equal(channels * count, reference.Length);

        // The golden is point-major [count][channels]; the reference is feature-major.
        ToleranceAssert.AllClose(expected, Transpose(reference, channels, count), 1e-12, 1e-9, name + "_embedded");
    }

    [Theory]
    [InlineData("points", 10)]
    [InlineData("dirs", 4)]
    public void FloatKernelMatchesGetEmbedder(string name, int frequencies)
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("embed"));
        double[] x = golden[name].ToDoubles();
        double[] expected = golden[name + "_embedded"].ToDoubles();
        int count = x.Length / 3;
        var encoding = new FrequencyEncoding(3, frequencies);
        Assert.Equal(3 + (3 * 2 * frequencies), encoding.OutputWidth);
        float[] xf = ToleranceAssert.ToFloats(x);
        var output = new float[encoding.OutputWidth * count];
        encoding.Forward(xf, count, output);
        double[] actual = Transpose(ToleranceAssert.ToDoubles(output), encoding.OutputWidth, count);

        // 1e-4 relative, 1e-5 absolute, plus what rounding x to float alone moves sin(2^k x): 2^k |x - (float)x|.
        for (int p = 0; p < count; p++)
        {
            for (int f = 0; f < encoding.OutputWidth; f++)
            {
                int dim = f % 3;
                int k = f < 3 ? 0 : (f - 3) / 6;
                double rounding = (f < 3 ? 1 : 1 << k) * Math.Abs(x[(3 * p) + dim] - xf[(3 * p) + dim]);
                double e = expected[(p * encoding.OutputWidth) + f];
                double a = actual[(p * encoding.OutputWidth) + f];
                Assert.True(Math.Abs(a - e) <= 1e-5 + (1e-4 * Math.Abs(e)) + rounding, $"point {p} channel {f}: {a} vs {e}");
            }
        }
    }

    [Fact]
    public void ForwardAndBackwardMatchTheReferenceForEveryTailLength()
    {
        var encoding = new FrequencyEncoding(3, 10);
        var rng = new Random(5);
        for (int count = 0; count <= 257; count++)
        {
            float[] x = RandomInputs(rng, count * 3, 1.5);
            var output = new float[(encoding.OutputWidth * count) + 7];
            output.AsSpan().Fill(float.NaN);
            encoding.Forward(x, count, output);
            double[] reference = ReferenceForward(ToleranceAssert.ToDoubles(x), count, 3, 10, includeInput: true);
            ToleranceAssert.AllClose(reference, output.AsSpan(0, reference.Length), 1e-7, 1e-6, $"forward, count {count}");
            Assert.True(float.IsNaN(output[^1]), "forward wrote past OutputWidth * count");

            float[] g = RandomInputs(rng, encoding.OutputWidth * count, 1.0);
            var dx = new float[count * 3];
            dx.AsSpan().Fill(float.NaN);
            encoding.Backward(x, count, g, dx);
            double[] referenceGrad = ReferenceBackward(ToleranceAssert.ToDoubles(x), count, 3, 10, true, ToleranceAssert.ToDoubles(g));
            ToleranceAssert.AllClose(referenceGrad, dx, 1e-5, 1e-6, $"backward, count {count}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void InputGradientsPassTheFiniteDifferenceCheck(bool includeInput)
    {
        const int count = 37;
        var encoding = new FrequencyEncoding(3, 10, includeInput);
        var rng = new Random(11);

        // Inputs on a 2^-20 grid so that x +- 2^-18 is exact in float; the step is small because sin(512 x) curves fast.
        float[] x = RandomInputs(rng, count * 3, 1.0);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = MathF.Round(x[i] * 1048576f) / 1048576f;
        }

        double[] r = GradientCheck.RandomWeights(encoding.OutputWidth * count);
        var dx = new float[count * 3];
        encoding.Backward(x, count, ToleranceAssert.ToFloats(r), dx);
        double Loss()
        {
            double[] output = ReferenceForward(ToleranceAssert.ToDoubles(x), count, 3, 10, includeInput);
            double l = 0;
            for (int i = 0; i < output.Length; i++)
            {
                l += r[i] * output[i];
            }

            return l;
        }

        GradientCheck.Check(x, Loss, dx, probes: 60, eps: 1.0 / 262144, tolerance: 1e-4, floor: 1e-2);
    }

    [Fact]
    public void LayoutPutsChannelMajorWithSinThenCosPerFrequency()
    {
        var encoding = new FrequencyEncoding(2, 2, includeInput: false);
        Assert.Equal(8, encoding.OutputWidth);
        float[] x = [0.5f, -1.0f, 2.0f, 0.25f];
        var output = new float[16];
        encoding.Forward(x, 2, output);

        // channel order: sin(x0), sin(x1), cos(x0), cos(x1), sin(2 x0), sin(2 x1), cos(2 x0), cos(2 x1)
        Assert.Equal(MathF.Sin(0.5f), output[(0 * 2) + 0], 6);
        Assert.Equal(MathF.Sin(0.25f), output[(1 * 2) + 1], 6);
        Assert.Equal(MathF.Cos(-1.0f), output[(3 * 2) + 0], 6);
        Assert.Equal(MathF.Sin(4.0f), output[(4 * 2) + 1], 6);
        Assert.Equal(MathF.Cos(0.5f), output[(7 * 2) + 1], 6);
        Assert.Equal(4, encoding.SinChannel(1, 0));
    }

    [Fact]
    public void RejectsShortBuffers()
    {
        var encoding = new FrequencyEncoding(3, 4);
        Assert.Throws<ArgumentException>(() => encoding.Forward(new float[5], 2, new float[54]));
        Assert.Throws<ArgumentException>(() => encoding.Forward(new float[6], 2, new float[53]));
        Assert.Throws<ArgumentException>(() => encoding.Backward(new float[6], 2, new float[54], new float[5]));
    }

    /// <summary>Feature-major double reference: channel f of point p at [f * count + p].</summary>
    internal static double[] ReferenceForward(double[] x, int count, int dims, int frequencies, bool includeInput)
    {
        int offset = includeInput ? dims : 0;
        int width = offset + (dims * 2 * frequencies);
        var output = new double[width * count];
        for (int p = 0; p < count; p++)
        {
            for (int d = 0; d < dims; d++)
            {
                double v = x[(p * dims) + d];
                if (includeInput)
                {
                    output[(d * count) + p] = v;
                }

                for (int k = 0; k < frequencies; k++)
                {
                    int channel = offset + (k * 2 * dims) + d;
                    output[(channel * count) + p] = Math.Sin(v * (1 << k));
                    output[((channel + dims) * count) + p] = Math.Cos(v * (1 << k));
                }
            }
        }

        return output;
    }

    private static double[] ReferenceBackward(double[] x, int count, int dims, int frequencies, bool includeInput, double[] g)
    {
        int offset = includeInput ? dims : 0;
        var dx = new double[count * dims];
        for (int p = 0; p < count; p++)
        {
            for (int d = 0; d < dims; d++)
            {
                double v = x[(p * dims) + d];
                double sum = includeInput ? g[(d * count) + p] : 0;
                for (int k = 0; k < frequencies; k++)
                {
                    int channel = offset + (k * 2 * dims) + d;
                    double s = 1 << k;
                    sum += s * ((Math.Cos(s * v) * g[(channel * count) + p]) - (Math.Sin(s * v) * g[((channel + dims) * count) + p]));
                }

                dx[(p * dims) + d] = sum;
            }
        }

        return dx;
    }

    private static double[] Transpose(double[] featureMajor, int channels, int count)
    {
        var pointMajor = new double[featureMajor.Length];
        for (int f = 0; f < channels; f++)
        {
            for (int p = 0; p < count; p++)
            {
                pointMajor[(p * channels) + f] = featureMajor[(f * count) + p];
            }
        }

        return pointMajor;
    }

    private static float[] RandomInputs(Random rng, int n, double scale)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(((rng.NextDouble() * 2) - 1) * scale);
        }

        return x;
    }
}
