using NerfSharp.Fields;
using NerfSharp.IO;
using NerfSharp.Rendering;
using NerfSharp.Sampling;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Rendering;

/// <summary>
/// nerf-pytorch's raw2outputs (float64) against activation + intervals + volume rendering, forward and
/// d loss / d raw: the double reference to 1e-9, the float kernels to 1e-4 relative.
/// </summary>
public class Raw2OutputsGoldenTests
{
    private const int Rays = 8;
    private const int Samples = 16;
    private const int Count = Rays * Samples;

    [Theory]
    [InlineData("black")]
    [InlineData("white")]
    public void DoubleReferenceMatchesRaw2Outputs(string background)
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("raw2outputs"));
        var g = new GoldenCase(golden, background);
        int[] start = Starts();
        int[] count = Counts();

        // Activation in double: density = relu(raw_sigma), color = sigmoid(raw_rgb), SoA [3][Count].
        var density = new double[Count];
        var color = new double[3 * Count];
        for (int s = 0; s < Count; s++)
        {
            density[s] = Math.Max(0, g.Raw[(4 * s) + 3]);
            for (int c = 0; c < 3; c++)
            {
                color[(c * Count) + s] = 1 / (1 + Math.Exp(-g.Raw[(4 * s) + c]));
            }
        }

        double[] delta = DoubleDeltas(g.ZVals, g.RaysD);
        var rgb = new double[3 * Rays];
        var depth = new double[Rays];
        var acc = new double[Rays];
        var disp = new double[Rays];
        var weights = new double[Count];
        VolumeRendererReference.Forward(start, count, density, delta, g.ZVals, color, Count, g.Background, rgb, depth, acc, disp, weights);
        ToleranceAssert.AllClose(g.Rgb, rgb, 1e-12, 1e-9, "rgb_map");
        ToleranceAssert.AllClose(g.Acc, acc, 1e-12, 1e-9, "acc_map");
        ToleranceAssert.AllClose(g.Depth, depth, 1e-12, 1e-9, "depth_map");
        ToleranceAssert.AllClose(g.Weights, weights, 1e-12, 1e-9, "weights");
        AssertDisparity(g, disp, 1e-12, 1e-9);

        var dDensity = new double[Count];
        var dColor = new double[3 * Count];
        VolumeRendererReference.Backward(start, count, density, delta, g.ZVals, color, Count, g.Background, g.GRgb, g.GDepth, g.GAcc, dDensity, dColor);
        var dRaw = new double[4 * Count];
        for (int s = 0; s < Count; s++)
        {
            for (int c = 0; c < 3; c++)
            {
                double sig = color[(c * Count) + s];
                dRaw[(4 * s) + c] = dColor[(c * Count) + s] * sig * (1 - sig);
            }

            dRaw[(4 * s) + 3] = g.Raw[(4 * s) + 3] > 0 ? dDensity[s] : 0;
        }

        ToleranceAssert.AllClose(g.DLossDRaw, dRaw, 1e-12, 1e-9, "dloss_draw");
    }

    [Theory]
    [InlineData("black")]
    [InlineData("white")]
    public void FloatKernelsMatchRaw2Outputs(string background)
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("raw2outputs"));
        var g = new GoldenCase(golden, background);
        int[] start = Starts();
        int[] count = Counts();

        // raw as the MLP emits it: feature-major [4][Count], rows r, g, b, sigma.
        var raw = new float[4 * Count];
        for (int s = 0; s < Count; s++)
        {
            for (int c = 0; c < 4; c++)
            {
                raw[(c * Count) + s] = (float)g.Raw[(4 * s) + c];
            }
        }

        var density = new float[Count];
        var color = new float[3 * Count];
        VanillaNerfActivation.Forward(raw, Count, [], density, color);
        float[] z = ToleranceAssert.ToFloats(g.ZVals);
        var norms = new float[Rays];
        for (int r = 0; r < Rays; r++)
        {
            norms[r] = (float)Norm(g.RaysD, r);
        }

        var delta = new float[Count];
        SampleIntervals.FromZVals(start, count, z, norms, delta);
        var bg = ((float)g.Background.R, (float)g.Background.G, (float)g.Background.B);
        var rgb = new float[3 * Rays];
        var depth = new float[Rays];
        var acc = new float[Rays];
        var disp = new float[Rays];
        var weights = new float[Count];
        VolumeRenderer.Forward(start, count, density, delta, z, color, Count, bg, rgb, depth, acc, disp, weights);
        ToleranceAssert.AllClose(g.Rgb, rgb, 1e-5, 1e-4, "rgb_map");
        ToleranceAssert.AllClose(g.Acc, acc, 1e-5, 1e-4, "acc_map");
        ToleranceAssert.AllClose(g.Depth, depth, 1e-5, 1e-4, "depth_map");
        ToleranceAssert.AllClose(g.Weights, weights, 1e-5, 1e-4, "weights");
        AssertDisparity(g, ToleranceAssert.ToDoubles(disp), 1e-5, 1e-4);

        var dDensity = new float[Count];
        var dColor = new float[3 * Count];
        VolumeRenderer.Backward(
            start, count, density, delta, z, color, Count, bg,
            ToleranceAssert.ToFloats(g.GRgb), ToleranceAssert.ToFloats(g.GDepth), ToleranceAssert.ToFloats(g.GAcc), dDensity, dColor);
        var dRaw = new float[4 * Count];
        VanillaNerfActivation.Backward(raw, Count, [], dDensity, dColor, dRaw);
        var dRawPointMajor = new double[4 * Count];
        for (int s = 0; s < Count; s++)
        {
            for (int c = 0; c < 4; c++)
            {
                dRawPointMajor[(4 * s) + c] = dRaw[(c * Count) + s];
            }
        }

        ToleranceAssert.AllClose(g.DLossDRaw, dRawPointMajor, 1e-5, 1e-4, "dloss_draw");
    }

    private static void AssertDisparity(GoldenCase g, double[] disp, double atol, double rtol)
    {
        for (int r = 0; r < Rays; r++)
        {
            if (g.Acc[r] > 0)
            {
                Assert.True(Math.Abs(disp[r] - g.Disp[r]) <= atol + (rtol * Math.Abs(g.Disp[r])), $"disp_map ray {r}: {disp[r]} vs {g.Disp[r]}");
            }
            else
            {
                // nerf-pytorch gives NaN (0/0); NerfSharp documents 0 (infinitely far).
                Assert.True(double.IsNaN(g.Disp[r]));
                Assert.Equal(0, disp[r]);
            }
        }
    }

    private static double[] DoubleDeltas(double[] z, double[] raysD)
    {
        var delta = new double[Count];
        for (int r = 0; r < Rays; r++)
        {
            double norm = Norm(raysD, r);
            for (int k = 0; k < Samples; k++)
            {
                int s = (r * Samples) + k;
                delta[s] = (k == Samples - 1 ? 1e10 : z[s + 1] - z[s]) * norm;
            }
        }

        return delta;
    }

    private static double Norm(double[] raysD, int r) =>
        Math.Sqrt((raysD[3 * r] * raysD[3 * r]) + (raysD[(3 * r) + 1] * raysD[(3 * r) + 1]) + (raysD[(3 * r) + 2] * raysD[(3 * r) + 2]));

    private static int[] Starts() => Enumerable.Range(0, Rays).Select(r => r * Samples).ToArray();

    private static int[] Counts() => Enumerable.Repeat(Samples, Rays).ToArray();

    private sealed class GoldenCase
    {
        public GoldenCase(SafetensorsFile f, string background)
        {
            Assert.Equal([Rays, Samples, 4], f["raw"].Shape);
            Raw = f["raw"].ToDoubles();
            ZVals = f["z_vals"].ToDoubles();
            RaysD = f["rays_d"].ToDoubles();
            GRgb = f["g_rgb"].ToDoubles();
            GDepth = f["g_depth"].ToDoubles();
            GAcc = f["g_acc"].ToDoubles();
            Rgb = f["rgb_map_" + background].ToDoubles();
            Disp = f["disp_map_" + background].ToDoubles();
            Acc = f["acc_map_" + background].ToDoubles();
            Weights = f["weights_" + background].ToDoubles();
            Depth = f["depth_map_" + background].ToDoubles();
            DLossDRaw = f["dloss_draw_" + background].ToDoubles();
            Background = background == "white" ? (1, 1, 1) : (0, 0, 0);
        }

        public double[] Raw { get; }

        public double[] ZVals { get; }

        public double[] RaysD { get; }

        public double[] GRgb { get; }

        public double[] GDepth { get; }

        public double[] GAcc { get; }

        public double[] Rgb { get; }

        public double[] Disp { get; }

        public double[] Acc { get; }

        public double[] Weights { get; }

        public double[] Depth { get; }

        public double[] DLossDRaw { get; }

        public (double R, double G, double B) Background { get; }
    }
}
