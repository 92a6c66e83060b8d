using NerfSharp.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Rendering;

/// <summary>
/// <see cref="RenderWeights"/> and <see cref="RayAccumulation"/>: golden values, the float kernels against a double
/// reference, finite-difference checks of the whole chain (sigma, colour, background -> weights -> rgb, depth,
/// opacity, plus a loss on the weights -> scalar) and agreement with <see cref="VolumeRenderer"/>.
/// </summary>
public class RenderWeightsTests
{
    [Fact]
    public void GoldenWeightsAndSigmaGradientsForOneRay()
    {
        // sigma = (1, 2), delta = (0.5, 0.25): sigma delta = 0.5 for both, e = exp(-0.5) = 0.60653066.
        // w0 = 1 - e = 0.39346934, T1 = e, w1 = e (1 - e) = 0.23865122. With L = w0 + w1 = 1 - exp(-(0.5 s0 + 0.25 s1)):
        // dL/ds0 = 0.5 exp(-1) = 0.18393972, dL/ds1 = 0.25 exp(-1) = 0.09196986.
        // The second ray has no samples; slot 2 belongs to no ray.
        int[] start = [0, 2], count = [2, 0];
        float[] sigma = [1, 2, 9], t0 = [0, 0.5f, 9], t1 = [0.5f, 0.75f, 9];
        var w = new float[3];
        var trans = new float[3];
        w[2] = trans[2] = -1;
        RenderWeights.Forward(start, count, sigma, t0, t1, w, trans);
        Assert.Equal(0.39346934f, w[0], 6e-8f);
        Assert.Equal(0.23865122f, w[1], 6e-8f);
        Assert.Equal(1f, trans[0]);
        Assert.Equal(0.60653066f, trans[1], 6e-8f);
        Assert.Equal(-1f, w[2]);
        Assert.Equal(-1f, trans[2]);

        var dSigma = new float[] { 0, 0, -1 };
        RenderWeights.Backward(start, count, sigma, t0, t1, w, [1, 1, 5], dSigma);
        Assert.Equal(0.18393972f, dSigma[0], 1e-7f);
        Assert.Equal(0.09196986f, dSigma[1], 1e-7f);
        Assert.Equal(-1f, dSigma[2]);

        RenderWeights.Forward(start, count, sigma, t0, t1, w, []); // transmittance not stored
        Assert.Equal(0.23865122f, w[1], 6e-8f);
    }

    [Fact]
    public void GoldenAccumulationDepthAndBackground()
    {
        // Weights (0.5, 0.25) at t_mid (1, 3); colours (1, 0, 0) and (0, 1, 0.5); background (0.2, 0.4, 0.8):
        // acc = 0.75, depth = 0.5 + 0.75 = 1.25, rgb = (0.5, 0.25, 0.125) + 0.25 (0.2, 0.4, 0.8) = (0.55, 0.35, 0.325).
        int[] start = [0, 2], count = [2, 0];
        float[] w = [0.5f, 0.25f], t0 = [0.5f, 2.5f], t1 = [1.5f, 3.5f];
        float[] color = [1, 0, 0, 1, 0, 0.5f]; // [3][stride 2]
        float[] background = [0.2f, 0.4f, 0.8f, 0.1f, 0.2f, 0.3f];
        var rgb = new float[6];
        var acc = new float[2];
        var depth = new float[2];
        RayAccumulation.Forward(start, count, w, color, 3, 2, rgb);
        RayAccumulation.Accumulation(start, count, w, acc);
        RayAccumulation.ExpectedDepth(start, count, w, t0, t1, depth);
        RayAccumulation.CompositeBackground(acc, background, rgb);
        Assert.Equal([0.75f, 0f], acc);
        Assert.Equal([1.25f, 0f], depth);
        Assert.Equal([0.55f, 0.35f, 0.325f, 0.1f, 0.2f, 0.3f], rgb);

        // dL/drgb = (1, 2, 3) on ray 0: dL/dacc = -(0.2 + 0.8 + 2.4) = -3.4; dL/dw0 = 1 - 3.4, dL/dw1 = 2 + 1.5 - 3.4.
        var dAcc = new float[2];
        var dBackground = new float[6];
        float[] dRgb = [1, 2, 3, 0, 0, 0];
        RayAccumulation.CompositeBackgroundBackward(acc, background, dRgb, dAcc, dBackground);
        Assert.Equal(-3.4f, dAcc[0], 1e-6f);
        Assert.Equal([0.25f, 0.5f, 0.75f, 0, 0, 0], dBackground.Select(v => MathF.Round(v, 6)).ToArray());
        var dW = new float[2];
        var dColor = new float[6];
        RayAccumulation.Backward(start, count, w, color, 3, 2, dRgb, dW, dColor);
        RayAccumulation.AccumulationBackward(start, count, dAcc, dW);
        Assert.Equal(-2.4f, dW[0], 1e-6f);
        Assert.Equal(0.1f, dW[1], 1e-6f);
        Assert.Equal([0.5f, 0.25f, 1f, 0.5f, 1.5f, 0.75f], dColor);

        // Without dL/dvalues only the weights' gradient is added (onto what is already there).
        var dW2 = new float[] { 10, 20 };
        RayAccumulation.Backward(start, count, w, color, 3, 2, dRgb, dW2, []);
        Assert.Equal([11f, 23.5f], dW2);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void FloatForwardMatchesTheDoubleReference(int seed)
    {
        var scene = new PackedRenderScene(seed);
        var run = new Chain(scene);
        run.Forward();
        var (w, trans) = scene.ReferenceWeights(ToleranceAssert.ToDoubles(scene.Sigma));
        var (rgb, depth, acc) = scene.ReferenceRender(
            ToleranceAssert.ToDoubles(scene.Sigma), ToleranceAssert.ToDoubles(scene.Color), ToleranceAssert.ToDoubles(scene.Background));
        ToleranceAssert.AllClose(Owned(scene, w), Owned(scene, ToleranceAssert.ToDoubles(run.Weights)), 1e-8, 1e-6, "weights");
        ToleranceAssert.AllClose(Owned(scene, trans), Owned(scene, ToleranceAssert.ToDoubles(run.Transmittance)), 1e-12, 1e-6, "transmittance");
        ToleranceAssert.AllClose(rgb, run.Rgb, 1e-7, 1e-6, "rgb");
        ToleranceAssert.AllClose(depth, run.Depth, 1e-7, 1e-6, "depth");
        ToleranceAssert.AllClose(acc, run.Accumulation, 1e-7, 1e-6, "acc");

        // Samples no ray owns are left alone; rays without samples composite to the background.
        for (int s = 0; s < scene.Samples; s++)
        {
            Assert.Equal(scene.Owned[s], run.Weights[s] != Chain.Untouched);
        }

        foreach (int r in new[] { PackedRenderScene.FirstEmptyRay, PackedRenderScene.SecondEmptyRay })
        {
            Assert.Equal(0f, run.Accumulation[r]);
            Assert.Equal(scene.Background.AsSpan(3 * r, 3).ToArray(), run.Rgb.AsSpan(3 * r, 3).ToArray());
        }

        Assert.True(run.Accumulation[PackedRenderScene.OpaqueRay] > 1 - 1e-6f);
    }

    [Theory]
    [InlineData(41, false)]
    [InlineData(42, true)]
    [InlineData(43, true)]
    public void ChainGradientsPassTheFiniteDifferenceCheck(int seed, bool withWeightLoss)
    {
        var scene = new PackedRenderScene(seed);
        var run = new Chain(scene);
        run.Forward();
        run.Backward(withWeightLoss);
        double[] sigma = ToleranceAssert.ToDoubles(scene.Sigma);
        double[] color = ToleranceAssert.ToDoubles(scene.Color);
        double[] background = ToleranceAssert.ToDoubles(scene.Background);
        double Loss() => scene.ReferenceLoss(sigma, color, background, withWeightLoss);

        // Analytic: the float kernels' gradients; numeric: central differences of the double reference.
        GradientCheck.Check(
            sigma, Loss, ToleranceAssert.ToDoubles(run.DLdSigma), probes: 60, eps: 1e-6, tolerance: 1e-4, floor: 1e-3, seed: seed,
            skip: s => !scene.Owned[s]);
        GradientCheck.Check(
            color, Loss, ToleranceAssert.ToDoubles(run.DLdColor), probes: 60, eps: 1e-6, tolerance: 1e-4, floor: 1e-3, seed: seed,
            skip: i => i % scene.ColorStride >= scene.Samples || !scene.Owned[i % scene.ColorStride]);
        GradientCheck.Check(
            background, Loss, ToleranceAssert.ToDoubles(run.DLdBackground), probes: 24, eps: 1e-6, tolerance: 1e-5, floor: 1e-4, seed: seed);

        // The opaque ray's samples behind the surface get (almost) no gradient, its first sample a finite one.
        int first = scene.RayStart[PackedRenderScene.OpaqueRay];
        Assert.True(float.IsFinite(run.DLdSigma[first]));
        Assert.True(Math.Abs(run.DLdSigma[first + 5]) < 1e-9);
        for (int s = 0; s < scene.Samples; s++)
        {
            Assert.Equal(scene.Owned[s], run.DLdSigma[s] != Chain.Untouched);
        }
    }

    [Fact]
    public void AgreesWithVolumeRendererWhereItsEpsilonDoesNotMatter()
    {
        // VolumeRenderer multiplies the transmittance by (e + 1e-10) instead of e: relative differences of about
        // 1e-10 / e per sample, far below float rounding unless e is tiny (opacity ~1 within one sample).
        var scene = new PackedRenderScene(51, opaqueSigma: 12);
        var run = new Chain(scene);
        run.Forward();
        var background = (scene.Background[0], scene.Background[1], scene.Background[2]);
        for (int r = 0; r < scene.Rays; r++)
        {
            scene.Background[3 * r] = background.Item1;
            scene.Background[(3 * r) + 1] = background.Item2;
            scene.Background[(3 * r) + 2] = background.Item3;
        }

        run.Forward();
        var delta = new float[scene.Samples];
        var tMid = new float[scene.Samples];
        for (int s = 0; s < scene.Samples; s++)
        {
            delta[s] = scene.TEnd[s] - scene.TStart[s];
            tMid[s] = 0.5f * (scene.TStart[s] + scene.TEnd[s]);
        }

        var rgb = new float[3 * scene.Rays];
        var depth = new float[scene.Rays];
        var acc = new float[scene.Rays];
        var weights = new float[scene.Samples];
        VolumeRenderer.Forward(
            scene.RayStart, scene.RayCount, scene.Sigma, delta, tMid, scene.Color, scene.ColorStride, background,
            rgb, depth, acc, new float[scene.Rays], weights);
        ToleranceAssert.AllClose(Owned(scene, ToleranceAssert.ToDoubles(weights)), Owned(scene, ToleranceAssert.ToDoubles(run.Weights)), 1e-7, 1e-5, "weights");
        ToleranceAssert.AllClose(ToleranceAssert.ToDoubles(rgb), run.Rgb, 1e-6, 1e-5, "rgb");
        ToleranceAssert.AllClose(ToleranceAssert.ToDoubles(depth), run.Depth, 1e-6, 1e-5, "depth");
        ToleranceAssert.AllClose(ToleranceAssert.ToDoubles(acc), run.Accumulation, 1e-6, 1e-5, "acc");

        run.Backward(withWeightLoss: false);
        var dSigma = new float[scene.Samples];
        var dColor = new float[3 * scene.ColorStride];
        VolumeRenderer.Backward(
            scene.RayStart, scene.RayCount, scene.Sigma, delta, tMid, scene.Color, scene.ColorStride, background,
            scene.DLdRgb, scene.DLdDepth, scene.DLdAccumulation, dSigma, dColor);
        ToleranceAssert.AllClose(Owned(scene, ToleranceAssert.ToDoubles(dSigma)), Owned(scene, ToleranceAssert.ToDoubles(run.DLdSigma)), 1e-6, 1e-4, "dLdSigma");
        for (int c = 0; c < 3; c++)
        {
            ToleranceAssert.AllClose(
                Owned(scene, ToleranceAssert.ToDoubles(dColor.AsSpan(c * scene.ColorStride, scene.Samples))),
                Owned(scene, ToleranceAssert.ToDoubles(run.DLdColor.AsSpan(c * scene.ColorStride, scene.Samples))),
                1e-7,
                1e-5,
                "dLdColor");
        }
    }

    [Fact]
    public void RaysWithoutSamplesNeedNoSampleBuffers()
    {
        int[] start = [0, 0], count = [0, 0];
        RenderWeights.Forward(start, count, [], [], [], [], []);
        RenderWeights.Backward(start, count, [], [], [], [], [], []);
        var rgb = new float[6];
        RayAccumulation.Forward(start, count, [], [], 3, 0, rgb);
        Assert.All(rgb, v => Assert.Equal(0f, v));
        RayAccumulation.Backward(start, count, [], [], 3, 0, new float[6], [], []);
        RenderWeights.Forward([], [], [], [], [], [], []);
    }

    [Fact]
    public void RejectsRaysOutsideTheBuffers()
    {
        var scene = new PackedRenderScene(61);
        int[] badStart = (int[])scene.RayStart.Clone();
        badStart[^1] = scene.Samples - 1;
        var w = new float[scene.Samples];
        Assert.Throws<ArgumentException>(() => RenderWeights.Forward(badStart, scene.RayCount, scene.Sigma, scene.TStart, scene.TEnd, w, []));
        Assert.Throws<ArgumentException>(() => RenderWeights.Forward(scene.RayStart, scene.RayCount, scene.Sigma, scene.TStart, scene.TEnd, w, new float[3]));
        Assert.Throws<ArgumentException>(() => RayAccumulation.Forward(scene.RayStart, scene.RayCount, w, scene.Color, 3, scene.ColorStride, new float[5]));
        Assert.Throws<ArgumentException>(() => RayAccumulation.Forward(scene.RayStart, scene.RayCount, w, scene.Color, 4, scene.ColorStride, new float[4 * scene.Rays]));
    }

    private static double[] Owned(PackedRenderScene scene, double[] perSample) =>
        Enumerable.Range(0, scene.Samples).Where(s => scene.Owned[s]).Select(s => perSample[s]).ToArray();

    /// <summary>The float kernels wired as a model would: weights -> colour, opacity, depth, background; and back.</summary>
    private sealed class Chain(PackedRenderScene scene)
    {
        public const float Untouched = -12345f;

        public float[] Weights { get; } = Filled(scene.Samples);

        public float[] Transmittance { get; } = Filled(scene.Samples);

        public float[] Rgb { get; } = new float[3 * scene.Rays];

        public float[] Depth { get; } = new float[scene.Rays];

        public float[] Accumulation { get; } = new float[scene.Rays];

        public float[] DLdSigma { get; } = Filled(scene.Samples);

        public float[] DLdColor { get; } = new float[3 * scene.ColorStride];

        public float[] DLdBackground { get; } = new float[3 * scene.Rays];

        public void Forward()
        {
            RenderWeights.Forward(scene.RayStart, scene.RayCount, scene.Sigma, scene.TStart, scene.TEnd, Weights, Transmittance);
            RayAccumulation.Forward(scene.RayStart, scene.RayCount, Weights, scene.Color, 3, scene.ColorStride, Rgb);
            RayAccumulation.Accumulation(scene.RayStart, scene.RayCount, Weights, Accumulation);
            RayAccumulation.ExpectedDepth(scene.RayStart, scene.RayCount, Weights, scene.TStart, scene.TEnd, Depth);
            RayAccumulation.CompositeBackground(Accumulation, scene.Background, Rgb);
        }

        public void Backward(bool withWeightLoss)
        {
            // dL/dw starts as the loss on the weights (sum q_s w_s), then each rendered quantity adds its part.
            float[] dLdWeights = withWeightLoss ? (float[])scene.WeightLoss.Clone() : new float[scene.Samples];
            float[] dLdAccumulation = (float[])scene.DLdAccumulation.Clone();
            RayAccumulation.CompositeBackgroundBackward(Accumulation, scene.Background, scene.DLdRgb, dLdAccumulation, DLdBackground);
            RayAccumulation.Backward(scene.RayStart, scene.RayCount, Weights, scene.Color, 3, scene.ColorStride, scene.DLdRgb, dLdWeights, DLdColor);
            RayAccumulation.AccumulationBackward(scene.RayStart, scene.RayCount, dLdAccumulation, dLdWeights);
            RayAccumulation.ExpectedDepthBackward(scene.RayStart, scene.RayCount, scene.TStart, scene.TEnd, scene.DLdDepth, dLdWeights);
            RenderWeights.Backward(scene.RayStart, scene.RayCount, scene.Sigma, scene.TStart, scene.TEnd, Weights, dLdWeights, DLdSigma);
        }

        private static float[] Filled(int n) => Enumerable.Repeat(Untouched, n).ToArray();
    }
}
