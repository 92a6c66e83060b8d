using NerfSharp.Rendering;

namespace NerfSharp.Tests.Rendering;

/// <summary>Batched and packed layouts give bit-identical results to rendering each ray on its own.</summary>
public class VolumeRendererLayoutTests
{
    private const int Rays = 37;
    private const int Samples = 64;

    [Fact]
    public void FixedCountPackedRaysEqualRaysRenderedOneByOne()
    {
        var rng = new Random(8);
        int total = Rays * Samples;
        float[] density = Fill(rng, total, 0, 4);
        float[] color = Fill(rng, 3 * total, 0, 1);
        float[] t = new float[total];
        float[] delta = new float[total];
        for (int r = 0; r < Rays; r++)
        {
            float z = 2;
            for (int k = 0; k < Samples; k++)
            {
                t[(r * Samples) + k] = z;
                float step = 0.02f + (0.08f * (float)rng.NextDouble());
                delta[(r * Samples) + k] = k == Samples - 1 ? 1e10f : step;
                z += step;
            }
        }

        float[] dRgb = Fill(rng, 3 * Rays, -1, 1);
        float[] dDepth = Fill(rng, Rays, -1, 1);
        float[] dAcc = Fill(rng, Rays, -1, 1);
        var bg = (0.2f, 0.5f, 1f);
        int[] start = Enumerable.Range(0, Rays).Select(r => r * Samples).ToArray();
        int[] count = Enumerable.Repeat(Samples, Rays).ToArray();

        var rgb = new float[3 * Rays];
        var depth = new float[Rays];
        var acc = new float[Rays];
        var disp = new float[Rays];
        var weights = new float[total];
        VolumeRenderer.Forward(start, count, density, delta, t, color, total, bg, rgb, depth, acc, disp, weights);
        var dDensity = new float[total];
        var dColor = new float[3 * total];
        VolumeRenderer.Backward(start, count, density, delta, t, color, total, bg, dRgb, dDepth, dAcc, dDensity, dColor);

        for (int r = 0; r < Rays; r++)
        {
            var one = new Range(r * Samples, (r + 1) * Samples);
            float[] colorOne = new float[3 * Samples];
            for (int c = 0; c < 3; c++)
            {
                color.AsSpan((c * total) + (r * Samples), Samples).CopyTo(colorOne.AsSpan(c * Samples));
            }

            var rgbOne = new float[3];
            var depthOne = new float[1];
            var accOne = new float[1];
            var dispOne = new float[1];
            var weightsOne = new float[Samples];
            VolumeRenderer.Forward([0], [Samples], density[one], delta[one], t[one], colorOne, Samples, bg, rgbOne, depthOne, accOne, dispOne, weightsOne);
            Assert.Equal(rgb.AsSpan(3 * r, 3).ToArray(), rgbOne);
            Assert.Equal(depth[r], depthOne[0]);
            Assert.Equal(acc[r], accOne[0]);
            Assert.Equal(disp[r], dispOne[0]);
            Assert.Equal(weights[one], weightsOne);

            var dDensityOne = new float[Samples];
            var dColorOne = new float[3 * Samples];
            VolumeRenderer.Backward(
                [0], [Samples], density[one], delta[one], t[one], colorOne, Samples, bg,
                dRgb.AsSpan(3 * r, 3), dDepth.AsSpan(r, 1), dAcc.AsSpan(r, 1), dDensityOne, dColorOne);
            Assert.Equal(dDensity[one], dDensityOne);
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(dColor.AsSpan((c * total) + (r * Samples), Samples).ToArray(), dColorOne.AsSpan(c * Samples, Samples).ToArray());
            }
        }
    }

    [Fact]
    public void GapsAndAWiderColorStrideDoNotChangeResults()
    {
        var scene = new PackedScene(31, withBackground: true, withDepthAndAcc: true);
        var f = new FloatScene(scene);
        var (rgb, depth, acc, disp, weights) = f.Forward();
        var (dDensity, dColor) = f.Backward();

        // Compact copy: rays back to back, colour stride = number of samples.
        int total = scene.RayCount.Sum();
        var start = new int[scene.Rays];
        var density = new float[total];
        var delta = new float[total];
        var t = new float[total];
        var color = new float[3 * total];
        int next = 0;
        for (int r = 0; r < scene.Rays; r++)
        {
            start[r] = next;
            for (int k = 0; k < scene.RayCount[r]; k++)
            {
                int s = scene.RayStart[r] + k;
                density[next] = f.Density[s];
                delta[next] = f.Delta[s];
                t[next] = f.T[s];
                for (int c = 0; c < 3; c++)
                {
                    color[(c * total) + next] = f.Color[(c * scene.ColorStride) + s];
                }

                next++;
            }
        }

        var rgb2 = new float[3 * scene.Rays];
        var depth2 = new float[scene.Rays];
        var acc2 = new float[scene.Rays];
        var disp2 = new float[scene.Rays];
        var weights2 = new float[total];
        VolumeRenderer.Forward(start, scene.RayCount, density, delta, t, color, total, f.Background, rgb2, depth2, acc2, disp2, weights2);
        Assert.Equal(rgb, rgb2);
        Assert.Equal(depth, depth2);
        Assert.Equal(acc, acc2);
        Assert.Equal(disp, disp2);
        var dDensity2 = new float[total];
        var dColor2 = new float[3 * total];
        VolumeRenderer.Backward(
            start, scene.RayCount, density, delta, t, color, total, f.Background,
            ToleranceAssert.ToFloats(scene.DLdRgb), ToleranceAssert.ToFloats(scene.DLdDepth), ToleranceAssert.ToFloats(scene.DLdAccumulation), dDensity2, dColor2);
        for (int r = 0; r < scene.Rays; r++)
        {
            for (int k = 0; k < scene.RayCount[r]; k++)
            {
                int s = scene.RayStart[r] + k;
                Assert.Equal(weights[s], weights2[start[r] + k]);
                Assert.Equal(dDensity[s], dDensity2[start[r] + k]);
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(dColor[(c * scene.ColorStride) + s], dColor2[(c * total) + start[r] + k]);
                }
            }
        }
    }

    [Fact]
    public void RaySlicesRenderedInParallelEqualOneCall()
    {
        var scene = new PackedScene(32, withBackground: true, withDepthAndAcc: true);
        var f = new FloatScene(scene);
        var (rgb, depth, acc, disp, weights) = f.Forward();
        var (dDensity, dColor) = f.Backward();
        float[] dRgb = ToleranceAssert.ToFloats(scene.DLdRgb);
        float[] dDepth = ToleranceAssert.ToFloats(scene.DLdDepth);
        float[] dAcc = ToleranceAssert.ToFloats(scene.DLdAccumulation);

        // One ray per task: per-ray buffers sliced, per-sample buffers shared (each task touches only its own samples).
        var rgb2 = new float[rgb.Length];
        var depth2 = new float[depth.Length];
        var acc2 = new float[acc.Length];
        var disp2 = new float[disp.Length];
        var weights2 = new float[weights.Length];
        var dDensity2 = new float[dDensity.Length];
        var dColor2 = new float[dColor.Length];
        Parallel.For(0, scene.Rays, r =>
        {
            VolumeRenderer.Forward(
                scene.RayStart.AsSpan(r, 1), scene.RayCount.AsSpan(r, 1), f.Density, f.Delta, f.T, f.Color, scene.ColorStride, f.Background,
                rgb2.AsSpan(3 * r, 3), depth2.AsSpan(r, 1), acc2.AsSpan(r, 1), disp2.AsSpan(r, 1), weights2);
            VolumeRenderer.Backward(
                scene.RayStart.AsSpan(r, 1), scene.RayCount.AsSpan(r, 1), f.Density, f.Delta, f.T, f.Color, scene.ColorStride, f.Background,
                dRgb.AsSpan(3 * r, 3), dDepth.AsSpan(r, 1), dAcc.AsSpan(r, 1), dDensity2, dColor2);
        });
        Assert.Equal(rgb, rgb2);
        Assert.Equal(depth, depth2);
        Assert.Equal(acc, acc2);
        Assert.Equal(disp, disp2);
        Assert.Equal(weights, weights2);
        Assert.Equal(dDensity, dDensity2);
        Assert.Equal(dColor, dColor2);
    }

    private static float[] Fill(Random rng, int n, double lo, double hi)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (float)(lo + ((hi - lo) * rng.NextDouble()));
        }

        return v;
    }
}
