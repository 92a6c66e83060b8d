using NerfSharp.Evaluation;
using NerfSharp.Imaging;

namespace NerfSharp.Reports;

/// <summary>
/// Per-pixel pictures of a render's quality: the absolute error against the ground truth (mean over the colour
/// channels) and the expected depth, each colour-mapped to RGB.
/// </summary>
public static class DiagnosticMaps
{
    /// <summary>Mean absolute colour error per pixel (row-major). Both images must have the same size.</summary>
    public static float[] AbsoluteError(Image render, Image truth)
    {
        if (render.Width != truth.Width || render.Height != truth.Height)
        {
            throw new ArgumentException($"a {render.Width}x{render.Height} render against a {truth.Width}x{truth.Height} ground truth");
        }

        int colors = Math.Min(3, Math.Min(render.Channels, truth.Channels));
        var error = new float[render.Width * render.Height];
        for (int p = 0; p < error.Length; p++)
        {
            float sum = 0;
            for (int c = 0; c < colors; c++)
            {
                sum += Math.Abs(render.Pixels[(p * render.Channels) + c] - truth.Pixels[(p * truth.Channels) + c]);
            }

            error[p] = sum / colors;
        }

        return error;
    }

    /// <summary>The value below which a fraction <paramref name="q"/> of the values lie (NaN skipped; 0 when none).</summary>
    public static float Quantile(IEnumerable<float> values, double q)
    {
        float[] sorted = values.Where(v => !float.IsNaN(v)).ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        Array.Sort(sorted);
        return sorted[(int)Math.Clamp(Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }

    /// <summary>Error values colour-mapped with viridis, <paramref name="scale"/> at the top.</summary>
    public static Image ErrorImage(float[] error, int width, int height, float scale)
    {
        var image = new Image(width, height, 3);
        for (int p = 0; p < error.Length; p++)
        {
            var (r, g, b) = ColorMap.Viridis.Evaluate(scale > 0 ? error[p] / scale : 0);
            image.Pixels[3 * p] = r;
            image.Pixels[(3 * p) + 1] = g;
            image.Pixels[(3 * p) + 2] = b;
        }

        return image;
    }

    /// <summary>
    /// Expected depth colour-mapped with turbo between the nearest and farthest depth of the
    /// pixels that are mostly opaque (accumulation above 0.5; all finite depths when none is), faded to dark grey
    /// where the ray saw empty space. Returns the image and the depth range used.
    /// </summary>
    public static (Image Image, float Min, float Max) DepthImage(RenderedImage rendered)
    {
        int w = rendered.Rgb.Width, h = rendered.Rgb.Height;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int pass = 0; pass < 2 && min > max; pass++)
        {
            for (int p = 0; p < w * h; p++)
            {
                float d = rendered.Depth[p];
                if (float.IsFinite(d) && (pass == 1 || rendered.Accumulation[p] > 0.5f))
                {
                    min = Math.Min(min, d);
                    max = Math.Max(max, d);
                }
            }
        }

        if (min > max)
        {
            (min, max) = (0, 1);
        }

        const float Empty = 0.12f;
        float range = max > min ? max - min : 1;
        var image = new Image(w, h, 3);
        for (int p = 0; p < w * h; p++)
        {
            float a = Math.Clamp(rendered.Accumulation[p], 0f, 1f);
            var (r, g, b) = ColorMap.Turbo.Evaluate((rendered.Depth[p] - min) / range);
            image.Pixels[3 * p] = (r * a) + (Empty * (1 - a));
            image.Pixels[(3 * p) + 1] = (g * a) + (Empty * (1 - a));
            image.Pixels[(3 * p) + 2] = (b * a) + (Empty * (1 - a));
        }

        return (image, min, max);
    }
}
