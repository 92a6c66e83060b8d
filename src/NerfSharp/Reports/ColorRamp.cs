using NerfSharp.Imaging;

namespace NerfSharp.Reports;

/// <summary>
/// A colour map for scalar images: values in [0, 1] interpolated linearly between evenly spaced anchor colours.
/// <see cref="Heat"/> (black -> purple -> orange -> pale yellow) for errors, <see cref="Rainbow"/> (dark blue -> cyan
/// -> green -> yellow -> red) for depth.
/// </summary>
public sealed class ColorRamp
{
    private readonly (float R, float G, float B)[] anchors;

    private ColorRamp(params (int R, int G, int B)[] anchors)
    {
        this.anchors = anchors.Select(a => (a.R / 255f, a.G / 255f, a.B / 255f)).ToArray();
    }

    public static ColorRamp Heat { get; } = new((0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164));

    public static ColorRamp Rainbow { get; } = new((48, 18, 59), (68, 99, 222), (35, 180, 235), (48, 238, 160), (160, 252, 60), (245, 195, 55), (235, 90, 20), (122, 4, 3));

    /// <summary>The colour of <paramref name="t"/> (clamped to [0, 1]; NaN maps to 0).</summary>
    public (float R, float G, float B) At(float t)
    {
        t = float.IsNaN(t) ? 0 : Math.Clamp(t, 0f, 1f);
        float x = t * (anchors.Length - 1);
        int i = Math.Min((int)x, anchors.Length - 2);
        float f = x - i;
        var (r0, g0, b0) = anchors[i];
        var (r1, g1, b1) = anchors[i + 1];
        return (r0 + ((r1 - r0) * f), g0 + ((g1 - g0) * f), b0 + ((b1 - b0) * f));
    }

    /// <summary>The ramp as a <paramref name="width"/> x <paramref name="height"/> RGB image, 0 at the left (a colour bar).</summary>
    public Image Bar(int width, int height)
    {
        var image = new Image(width, height, 3);
        for (int x = 0; x < width; x++)
        {
            var (r, g, b) = At(width > 1 ? x / (float)(width - 1) : 0);
            for (int y = 0; y < height; y++)
            {
                int o = ((y * width) + x) * 3;
                image.Pixels[o] = r;
                image.Pixels[o + 1] = g;
                image.Pixels[o + 2] = b;
            }
        }

        return image;
    }
}
