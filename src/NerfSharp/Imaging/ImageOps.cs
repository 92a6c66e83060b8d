namespace NerfSharp.Imaging;

/// <summary>
/// Small whole-image operations the data parsers and the renderer's outputs need: alpha compositing,
/// channel conversion, area downsampling, and scalar maps (disparity, accumulation) to viewable images.
/// </summary>
public static class ImageOps
{
    /// <summary>
    /// Composites an image with alpha (gray+alpha or RGBA) over a solid background, as nerf-pytorch does:
    /// rgb * a + bg * (1 - a), in float. The result is RGB. An image without alpha is opaque: it is returned as RGB (see <see cref="ToRgb"/>).
    /// </summary>
    public static Image CompositeOver(Image image, float r, float g, float b)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels is 1 or 3)
        {
            return ToRgb(image);
        }

        int n = image.Channels;
        int pixels = image.Width * image.Height;
        var dst = new float[pixels * 3];
        ReadOnlySpan<float> src = image.Pixels;
        for (int p = 0; p < pixels; p++)
        {
            float alpha = src[(p * n) + n - 1];
            float oneMinusAlpha = 1f - alpha;
            if (n == 4)
            {
                dst[3 * p] = (src[4 * p] * alpha) + (r * oneMinusAlpha);
                dst[(3 * p) + 1] = (src[(4 * p) + 1] * alpha) + (g * oneMinusAlpha);
                dst[(3 * p) + 2] = (src[(4 * p) + 2] * alpha) + (b * oneMinusAlpha);
            }
            else
            {
                float v = src[2 * p] * alpha;
                dst[3 * p] = v + (r * oneMinusAlpha);
                dst[(3 * p) + 1] = v + (g * oneMinusAlpha);
                dst[(3 * p) + 2] = v + (b * oneMinusAlpha);
            }
        }

        return new Image(image.Width, image.Height, 3, dst);
    }

    /// <summary>RGB view of any image: gray is replicated to three channels, alpha is dropped. An RGB image is copied.</summary>
    public static Image ToRgb(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int n = image.Channels;
        int pixels = image.Width * image.Height;
        var dst = new float[pixels * 3];
        ReadOnlySpan<float> src = image.Pixels;
        for (int p = 0; p < pixels; p++)
        {
            if (n >= 3)
            {
                dst[3 * p] = src[p * n];
                dst[(3 * p) + 1] = src[(p * n) + 1];
                dst[(3 * p) + 2] = src[(p * n) + 2];
            }
            else
            {
                float v = src[p * n];
                dst[3 * p] = v;
                dst[(3 * p) + 1] = v;
                dst[(3 * p) + 2] = v;
            }
        }

        return new Image(image.Width, image.Height, 3, dst);
    }

    /// <summary>
    /// Shrinks an image by an integer factor to (W / factor, H / factor) (rounded down) by area averaging,
    /// as OpenCV's INTER_AREA (nerf-pytorch's half_res): each output pixel is the mean of the source area it covers.
    /// When the factor divides the size that area is a factor x factor box; otherwise the scale is W / (W / factor)
    /// and edge pixels count by the fraction of them covered. Every channel (alpha included) is averaged alike.
    /// </summary>
    public static Image DownsampleArea(Image image, int factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        int ow = image.Width / factor, oh = image.Height / factor;
        if (ow == 0 || oh == 0)
        {
            throw new ArgumentException($"a {image.Width}x{image.Height} image is too small to downsample by {factor}");
        }

        if (factor == 1)
        {
            return new Image(image.Width, image.Height, image.Channels, (float[])image.Pixels.Clone());
        }

        var xTaps = AreaTaps(image.Width, ow);
        var yTaps = AreaTaps(image.Height, oh);
        int n = image.Channels;
        int srcStride = image.Width * n;
        var dst = new float[ow * oh * n];
        var accumulator = new double[ow * n];
        for (int oy = 0; oy < oh; oy++)
        {
            Array.Clear(accumulator);
            foreach (var (sy, wy) in yTaps[oy])
            {
                ReadOnlySpan<float> row = image.Pixels.AsSpan(sy * srcStride, srcStride);
                for (int ox = 0; ox < ow; ox++)
                {
                    foreach (var (sx, wx) in xTaps[ox])
                    {
                        double weight = wx * wy;
                        for (int c = 0; c < n; c++)
                        {
                            accumulator[(ox * n) + c] += weight * row[(sx * n) + c];
                        }
                    }
                }
            }

            for (int i = 0; i < accumulator.Length; i++)
            {
                dst[(oy * ow * n) + i] = (float)accumulator[i];
            }
        }

        return new Image(ow, oh, n, dst);
    }

    /// <summary>
    /// Maps scalar values (one per pixel, row-major) to a gray image stored as RGB: (v - min) / (max - min) clamped
    /// to [0, 1]; NaN becomes 0. When max equals min every value maps to 0.
    /// </summary>
    public static Image FromScalarMap(ReadOnlySpan<float> values, int width, int height, float min, float max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (values.Length != width * height)
        {
            throw new ArgumentException($"{values.Length} values for a {width}x{height} map", nameof(values));
        }

        if (!float.IsFinite(min) || !float.IsFinite(max) || max < min)
        {
            throw new ArgumentException($"invalid range [{min}, {max}]");
        }

        float range = max - min;
        var dst = new float[values.Length * 3];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            float t = float.IsNaN(v) || range == 0f ? 0f : Math.Clamp((v - min) / range, 0f, 1f);
            dst[3 * i] = t;
            dst[(3 * i) + 1] = t;
            dst[(3 * i) + 2] = t;
        }

        return new Image(width, height, 3, dst);
    }

    /// <summary>For each output index along one axis: the source indices it covers and their weights (coverage / scale, summing to 1).</summary>
    private static (int Source, double Weight)[][] AreaTaps(int sourceSize, int outputSize)
    {
        double scale = (double)sourceSize / outputSize;
        var taps = new (int, double)[outputSize][];
        var list = new List<(int, double)>();
        for (int o = 0; o < outputSize; o++)
        {
            list.Clear();
            double start = o * scale, end = (o + 1) * scale;
            for (int s = (int)Math.Floor(start); s < Math.Min(sourceSize, (int)Math.Ceiling(end)); s++)
            {
                double covered = Math.Min(end, s + 1) - Math.Max(start, s);
                if (covered > 1e-12)
                {
                    list.Add((s, covered / scale));
                }
            }

            taps[o] = list.ToArray();
        }

        return taps;
    }
}
