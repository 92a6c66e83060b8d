using NerfSharp.Evaluation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NerfSharp.Viewer;

/// <summary>Turns a rendered view into the bytes of one viewer frame: colour, depth or accumulation as JPEG or PNG.</summary>
public static class FrameEncoder
{
    /// <summary>JPEG quality of viewer frames.</summary>
    public const int JpegQuality = 90;

    /// <summary>
    /// 8-bit RGB pixels (row-major) of <paramref name="mode"/>: colour as rendered; depth as grey, white at
    /// <paramref name="near"/> to black at <paramref name="far"/> (black where the ray hits nothing); accumulation as grey.
    /// </summary>
    public static byte[] ToRgb24(RenderedImage image, RenderMode mode, float near, float far)
    {
        int n = image.Rgb.Width * image.Rgb.Height;
        var bytes = new byte[n * 3];
        float range = far > near ? far - near : 1;
        for (int i = 0; i < n; i++)
        {
            float r, g, b;
            switch (mode)
            {
                case RenderMode.Depth:
                    float acc = image.Accumulation[i];
                    float v = acc > 0.05f ? 1 - ((image.Depth[i] / acc) - near) / range : 0;
                    r = g = b = v;
                    break;
                case RenderMode.Accumulation:
                    r = g = b = image.Accumulation[i];
                    break;
                default:
                    r = image.Rgb.Pixels[3 * i];
                    g = image.Rgb.Pixels[(3 * i) + 1];
                    b = image.Rgb.Pixels[(3 * i) + 2];
                    break;
            }

            bytes[3 * i] = ToByte(r);
            bytes[(3 * i) + 1] = ToByte(g);
            bytes[(3 * i) + 2] = ToByte(b);
        }

        return bytes;
    }

    /// <summary>The encoded frame (JPEG or PNG file bytes).</summary>
    public static byte[] Encode(RenderedImage image, RenderMode mode, float near, float far, FrameFormat format)
    {
        byte[] rgb = ToRgb24(image, mode, near, far);
        using var frame = SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(rgb, image.Rgb.Width, image.Rgb.Height);
        using var stream = new MemoryStream();
        if (format == FrameFormat.Png)
        {
            frame.SaveAsPng(stream, new PngEncoder { CompressionLevel = PngCompressionLevel.BestSpeed });
        }
        else
        {
            frame.SaveAsJpeg(stream, new JpegEncoder { Quality = JpegQuality });
        }

        return stream.ToArray();
    }

    private static byte ToByte(float v) => float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp((int)MathF.Round(v * 255), 0, 255);
}
