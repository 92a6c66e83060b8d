using NerfSharp.Imaging;

namespace NerfSharp.Evaluation;

/// <summary>A rendered view: colour plus per-pixel depth, disparity and accumulated opacity (row-major).</summary>
public sealed record RenderedImage(Image Rgb, float[] Depth, float[] Disparity, float[] Accumulation)
{
    /// <summary>Disparity as a grey image, scaled so the largest finite value is white.</summary>
    public Image DisparityImage()
    {
        float max = 0;
        foreach (float d in Disparity)
        {
            if (float.IsFinite(d) && d > max)
            {
                max = d;
            }
        }

        return ImageOps.FromScalarMap(Disparity, Rgb.Width, Rgb.Height, 0, max > 0 ? max : 1);
    }

    /// <summary>Accumulated opacity as a grey image (0 black, 1 white).</summary>
    public Image AccumulationImage() => ImageOps.FromScalarMap(Accumulation, Rgb.Width, Rgb.Height, 0, 1);
}
