using NerfSharp.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Rendering;

/// <summary>
/// Finite-difference checks of the double reference's backward pass, and the float kernel against the
/// reference (forward and backward), on a packed ragged scene with an empty ray, a zero-density ray,
/// an opaque ray and a dense ray.
/// </summary>
public class VolumeRendererGradientTests
{
    public static TheoryData<bool, bool, bool> Cases => new()
    {
        { false, false, true },  // black background, rgb loss only
        { true, false, true },   // coloured background
        { false, true, true },   // with dL/ddepth and dL/dacc
        { true, true, true },
        { true, true, false },   // depth and acc only (dL/drgb empty)
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReferenceDensityGradientsPassTheFiniteDifferenceCheck(bool background, bool depthAndAcc, bool rgbGradient)
    {
        var scene = new PackedScene(21, background, depthAndAcc, rgbGradient);
        var (dDensity, _) = ReferenceBackward(scene);
        double[] density = scene.Density;
        GradientCheck.Check(
            density,
            () => scene.Loss(density, scene.Color),
            dDensity,
            probes: 80,
            eps: 1e-6,
            tolerance: 1e-5,
            floor: 1e-4,
            skip: s => !scene.IsOwned(s) || scene.IsUnprobeable(s));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReferenceColorGradientsPassTheFiniteDifferenceCheck(bool background, bool depthAndAcc, bool rgbGradient)
    {
        var scene = new PackedScene(22, background, depthAndAcc, rgbGradient);
        var (_, dColor) = ReferenceBackward(scene);
        double[] color = scene.Color;
        GradientCheck.Check(
            color,
            () => scene.Loss(scene.Density, color),
            dColor,
            probes: 80,
            eps: 1e-6,
            tolerance: 1e-5,
            floor: 1e-4,
            skip: i => !scene.IsOwned(i % scene.ColorStride) || i % scene.ColorStride >= scene.SampleCapacity);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatKernelMatchesTheReference(bool background, bool depthAndAcc, bool rgbGradient)
    {
        var scene = new PackedScene(23, background, depthAndAcc, rgbGradient);
        var f = new FloatScene(scene);
        var (rgb, depth, acc, disp, weights) = scene.RenderReference(ToleranceAssert.ToDoubles(f.Density), ToleranceAssert.ToDoubles(f.Color));
        var (frgb, fdepth, facc, fdisp, fweights) = f.Forward();
        ToleranceAssert.AllClose(rgb, frgb, 1e-6, 1e-5, "rgb");
        ToleranceAssert.AllClose(depth, fdepth, 1e-6, 1e-5, "depth");
        ToleranceAssert.AllClose(acc, facc, 1e-6, 1e-5, "acc");
        ToleranceAssert.AllClose(disp, fdisp, 1e-6, 1e-5, "disp");
        ToleranceAssert.AllClose(Owned(scene, weights), Owned(scene, ToleranceAssert.ToDoubles(fweights)), 1e-7, 1e-5, "weights");
        Assert.Equal(0, disp[PackedScene.EmptyRay]);
        Assert.Equal(0, disp[PackedScene.ZeroDensityRay]);
        Assert.Equal((float)scene.Background.G, frgb[(3 * PackedScene.EmptyRay) + 1]);
        Assert.Equal(1f, facc[PackedScene.OpaqueRay], 6);

        var (dDensity, dColor) = ReferenceBackward(scene, f);
        var (fdDensity, fdColor) = f.Backward();
        double scaleD = MaxAbs(dDensity), scaleC = MaxAbs(dColor);
        ToleranceAssert.AllClose(Owned(scene, dDensity), Owned(scene, ToleranceAssert.ToDoubles(fdDensity)), 1e-6 * scaleD, 1e-4, "dLdDensity");
        ToleranceAssert.AllClose(dColor, ToleranceAssert.ToDoubles(fdColor), 1e-6 * scaleC, 1e-4, "dLdColor");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatKernelGradientsPassTheFiniteDifferenceCheck(bool background, bool depthAndAcc, bool rgbGradient)
    {
        var scene = new PackedScene(24, background, depthAndAcc, rgbGradient);
        var f = new FloatScene(scene);
        var (fdDensity, fdColor) = f.Backward();
        GradientCheck.Check(
            f.Density,
            () => scene.Loss(ToleranceAssert.ToDoubles(f.Density), ToleranceAssert.ToDoubles(f.Color)),
            fdDensity,
            probes: 60,
            eps: 1e-3,
            tolerance: 2e-3,
            floor: 1e-3,
            skip: s => !scene.IsOwned(s) || scene.IsUnprobeable(s));
        GradientCheck.Check(
            f.Color,
            () => scene.Loss(ToleranceAssert.ToDoubles(f.Density), ToleranceAssert.ToDoubles(f.Color)),
            fdColor,
            probes: 60,
            eps: 1e-3,
            tolerance: 2e-3,
            floor: 1e-3,
            skip: i => !scene.IsOwned(i % scene.ColorStride) || i % scene.ColorStride >= scene.SampleCapacity);
    }

    [Fact]
    public void BackwardLeavesUnownedSamplesAlone()
    {
        var scene = new PackedScene(25, true, true);
        var f = new FloatScene(scene);
        var dDensity = Enumerable.Repeat(-7f, scene.SampleCapacity).ToArray();
        var dColor = Enumerable.Repeat(-7f, 3 * scene.ColorStride).ToArray();
        f.Backward(dDensity, dColor);
        for (int s = 0; s < scene.SampleCapacity; s++)
        {
            Assert.Equal(scene.IsOwned(s), dDensity[s] != -7f);
        }
    }

    [Fact]
    public void RaysWithoutSamplesNeedNoSampleBuffers()
    {
        var rgb = new float[6];
        var depth = new float[2];
        var acc = new float[2];
        var disp = new float[2];
        VolumeRenderer.Forward([0, 0], [0, 0], [], [], [], [], 4, (0.25f, 0.5f, 1f), rgb, depth, acc, disp, []);
        Assert.Equal([0.25f, 0.5f, 1f, 0.25f, 0.5f, 1f], rgb);
        Assert.Equal([0f, 0f], acc);
        Assert.Equal([0f, 0f], disp);
        VolumeRenderer.Backward([0, 0], [0, 0], [], [], [], [], 4, (0.25f, 0.5f, 1f), new float[6], [], [], [], []);
        VolumeRenderer.Forward([], [], [], [], [], [], 0, default, [], [], [], [], []);
    }

    [Fact]
    public void RejectsRaysOutsideTheBuffers()
    {
        var scene = new PackedScene(26, false, false);
        var f = new FloatScene(scene);
        int[] badStart = (int[])scene.RayStart.Clone();
        badStart[^1] = scene.SampleCapacity - 1;
        Assert.Throws<ArgumentException>(() => VolumeRenderer.Forward(
            badStart, scene.RayCount, f.Density, f.Delta, f.T, f.Color, scene.ColorStride, default,
            new float[3 * scene.Rays], new float[scene.Rays], new float[scene.Rays], new float[scene.Rays], new float[scene.SampleCapacity]));
        Assert.Throws<ArgumentException>(() => VolumeRenderer.Backward(
            scene.RayStart, scene.RayCount, f.Density, f.Delta, f.T, f.Color, scene.ColorStride, default,
            new float[5], [], [], new float[scene.SampleCapacity], new float[3 * scene.ColorStride]));
    }

    private static (double[] DDensity, double[] DColor) ReferenceBackward(PackedScene scene, FloatScene? on = null)
    {
        double[] density = on == null ? scene.Density : ToleranceAssert.ToDoubles(on.Density);
        double[] color = on == null ? scene.Color : ToleranceAssert.ToDoubles(on.Color);
        double[] delta = on == null ? scene.Delta : ToleranceAssert.ToDoubles(on.Delta);
        double[] t = on == null ? scene.T : ToleranceAssert.ToDoubles(on.T);
        var dDensity = new double[scene.SampleCapacity];
        var dColor = new double[3 * scene.ColorStride];
        VolumeRendererReference.Backward(
            scene.RayStart, scene.RayCount, density, delta, t, color, scene.ColorStride, scene.Background,
            scene.DLdRgb, scene.DLdDepth, scene.DLdAccumulation, dDensity, dColor);
        return (dDensity, dColor);
    }

    private static double[] Owned(PackedScene scene, double[] perSample) =>
        Enumerable.Range(0, scene.SampleCapacity).Where(scene.IsOwned).Select(s => perSample[s]).ToArray();

    private static double MaxAbs(double[] v) => v.Max(Math.Abs);
}
