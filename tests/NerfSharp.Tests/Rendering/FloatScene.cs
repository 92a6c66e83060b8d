using NerfSharp.Rendering;

namespace NerfSharp.Tests.Rendering;

/// <summary>A <see cref="PackedScene"/> rounded to float, driving the float <see cref="VolumeRenderer"/>.</summary>
internal sealed class FloatScene
{
    private readonly PackedScene scene;

    public FloatScene(PackedScene scene)
    {
        this.scene = scene;
        Density = ToleranceAssert.ToFloats(scene.Density);
        Delta = ToleranceAssert.ToFloats(scene.Delta);
        T = ToleranceAssert.ToFloats(scene.T);
        Color = ToleranceAssert.ToFloats(scene.Color);
        Background = ((float)scene.Background.R, (float)scene.Background.G, (float)scene.Background.B);
    }

    public float[] Density { get; }

    public float[] Delta { get; }

    public float[] T { get; }

    public float[] Color { get; }

    public (float R, float G, float B) Background { get; }

    public (float[] Rgb, float[] Depth, float[] Acc, float[] Disp, float[] Weights) Forward()
    {
        var rgb = new float[3 * scene.Rays];
        var depth = new float[scene.Rays];
        var acc = new float[scene.Rays];
        var disp = new float[scene.Rays];
        var weights = new float[scene.SampleCapacity];
        VolumeRenderer.Forward(scene.RayStart, scene.RayCount, Density, Delta, T, Color, scene.ColorStride, Background, rgb, depth, acc, disp, weights);
        return (rgb, depth, acc, disp, weights);
    }

    public (float[] DDensity, float[] DColor) Backward()
    {
        var dDensity = new float[scene.SampleCapacity];
        var dColor = new float[3 * scene.ColorStride];
        Backward(dDensity, dColor);
        return (dDensity, dColor);
    }

    public void Backward(float[] dDensity, float[] dColor) =>
        VolumeRenderer.Backward(
            scene.RayStart, scene.RayCount, Density, Delta, T, Color, scene.ColorStride, Background,
            ToleranceAssert.ToFloats(scene.DLdRgb), ToleranceAssert.ToFloats(scene.DLdDepth), ToleranceAssert.ToFloats(scene.DLdAccumulation),
            dDensity, dColor);
}
