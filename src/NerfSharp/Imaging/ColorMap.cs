namespace NerfSharp.Imaging;

/// <summary>
/// A perceptual colour map from [0, 1] to RGB. Turbo (Google's improved rainbow, Mikhailov 2019) is its published 256-entry
/// lookup table, interpolated linearly; viridis (matplotlib's default) is Matt Zucker's published degree-6 polynomial fit,
/// within about 0.015 per channel of matplotlib's table.
/// </summary>
public enum ColorMap
{
    Turbo,
    Viridis,
}

/// <summary>Evaluation of <see cref="ColorMap"/>s and colouring of scalar fields.</summary>
public static class ColorMaps
{
    /// <summary>The names the command line accepts, in <see cref="ColorMap"/> order.</summary>
    public static readonly IReadOnlyList<string> Names = ["turbo", "viridis"];

    public static ColorMap Parse(string name) => name.ToLowerInvariant() switch
    {
        "turbo" => ColorMap.Turbo,
        "viridis" => ColorMap.Viridis,
        _ => throw new ArgumentException($"unknown colour map '{name}' ({string.Join(", ", Names)})"),
    };

    /// <summary>The colour at <paramref name="t"/> (clamped to [0, 1]; NaN reads as 0), each channel clamped to [0, 1].</summary>
    public static (float R, float G, float B) Evaluate(this ColorMap map, double t)
    {
        t = double.IsNaN(t) ? 0 : Math.Clamp(t, 0, 1);
        (double r, double g, double b) = map switch
        {
            ColorMap.Turbo => Turbo(t),
            ColorMap.Viridis => Viridis(t),
            _ => throw new ArgumentOutOfRangeException(nameof(map)),
        };
        return ((float)Math.Clamp(r, 0, 1), (float)Math.Clamp(g, 0, 1), (float)Math.Clamp(b, 0, 1));
    }

    /// <summary>The map as a <paramref name="width"/> x <paramref name="height"/> RGB image, 0 at the left (a colour bar).</summary>
    public static Image Bar(this ColorMap map, int width, int height)
    {
        var image = new Image(width, height, 3);
        for (int x = 0; x < width; x++)
        {
            var (r, g, b) = map.Evaluate(width > 1 ? x / (double)(width - 1) : 0);
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

    /// <summary>
    /// Colours <paramref name="values"/> (row-major, <paramref name="width"/> x <paramref name="height"/>) with t = (v - min) / (max - min),
    /// then, where <paramref name="weights"/> is given, blends each pixel with <paramref name="background"/> by 1 - weight
    /// (so empty space shows the background, as nerfstudio's depth colour map does with accumulation).
    /// </summary>
    public static Image Colorize(
        ReadOnlySpan<float> values, int width, int height, float min, float max, ColorMap map,
        ReadOnlySpan<float> weights = default, (float R, float G, float B) background = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (values.Length != width * height || (!weights.IsEmpty && weights.Length != values.Length))
        {
            throw new ArgumentException($"{values.Length} values and {weights.Length} weights for a {width}x{height} map", nameof(values));
        }

        if (!float.IsFinite(min) || !float.IsFinite(max) || max < min)
        {
            throw new ArgumentException($"invalid range [{min}, {max}]");
        }

        var image = new Image(width, height, 3);
        float[] pixels = image.Pixels;
        double span = max > min ? max - min : 1;
        for (int p = 0; p < values.Length; p++)
        {
            var (r, g, b) = map.Evaluate((values[p] - min) / span);
            if (!weights.IsEmpty)
            {
                float w = float.IsNaN(weights[p]) ? 0f : Math.Clamp(weights[p], 0f, 1f);
                r = (w * r) + ((1 - w) * background.R);
                g = (w * g) + ((1 - w) * background.G);
                b = (w * b) + ((1 - w) * background.B);
            }

            pixels[3 * p] = r;
            pixels[(3 * p) + 1] = g;
            pixels[(3 * p) + 2] = b;
        }

        return image;
    }

    /// <summary>Turbo's lookup table, interpolated linearly between entries k / 255 and (k + 1) / 255.</summary>
    private static (double R, double G, double B) Turbo(double t)
    {
        double x = t * (TurboTable.Entries - 1);
        int a = Math.Min((int)x, TurboTable.Entries - 1), b = Math.Min(a + 1, TurboTable.Entries - 1);
        double f = x - a;
        float[] lut = TurboTable.Rgb;
        return (
            lut[3 * a] + (f * (lut[3 * b] - lut[3 * a])),
            lut[(3 * a) + 1] + (f * (lut[(3 * b) + 1] - lut[(3 * a) + 1])),
            lut[(3 * a) + 2] + (f * (lut[(3 * b) + 2] - lut[(3 * a) + 2])));
    }

    private static (double R, double G, double B) Viridis(double t) => (
        Horner(t, 0.2777273272234177, 0.1050930431085774, -0.3308618287255563, -4.634230498983486, 6.228269936347081, 4.776384997670288, -5.435455855934631),
        Horner(t, 0.005407344544966578, 1.404613529898575, 0.214847559468213, -5.799100973351585, 14.17993336680509, -13.74514537774601, 4.645852612178535),
        Horner(t, 0.3340998053353061, 1.384590162594685, 0.09509516302823659, -19.33244095627987, 56.69055260068105, -65.35303263337234, 26.3124352495832));

    private static double Horner(double t, double c0, double c1, double c2, double c3, double c4, double c5, double c6) =>
        c0 + (t * (c1 + (t * (c2 + (t * (c3 + (t * (c4 + (t * (c5 + (t * c6)))))))))));
}
