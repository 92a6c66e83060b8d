using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SharpImage = SixLabors.ImageSharp.Image;

namespace NerfSharp.Imaging;

/// <summary>
/// JPEG decoding through SixLabors.ImageSharp (2.x): baseline and extended sequential (SOF0/SOF1) and
/// progressive (SOF2) Huffman-coded 8-bit files, any chroma subsampling, restart intervals, one-component
/// grayscale and three-component YCbCr/RGB. The EXIF orientation tag is applied unless asked not to.
/// Before ImageSharp runs, the marker stream is scanned (<see cref="JpegInfo"/>) so that files it would
/// mis-decode or that this project does not accept (CMYK/YCCK, lossless, arithmetic-coded, hierarchical,
/// 12-bit) are refused with a <see cref="DataFormatException"/> naming the file.
/// The result is a float image, 1 channel (gray) or 3 (RGB), each sample the decoded byte / 255.
/// </summary>
public static class JpegDecoder
{
    /// <summary>Reads and decodes a JPEG file (EXIF orientation applied).</summary>
    public static Image ReadImage(string path, bool applyOrientation = true) => Decode(ReadBytes(path), path, applyOrientation);

    /// <summary>
    /// Decodes JPEG bytes; <paramref name="sourceName"/> (usually the path) names the input in errors.
    /// With <paramref name="applyOrientation"/> the EXIF orientation (1..8) is applied, so the image is upright.
    /// </summary>
    public static Image Decode(byte[] bytes, string sourceName, bool applyOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        JpegInfo info = JpegInfo.Parse(bytes, sourceName);
        try
        {
            return info.Components == 1
                ? DecodeGray(bytes, applyOrientation && info.Orientation != 1)
                : DecodeRgb(bytes, applyOrientation && info.Orientation != 1);
        }
        catch (Exception e) when (e is SixLabors.ImageSharp.ImageFormatException or SixLabors.ImageSharp.UnknownImageFormatException
            or InvalidOperationException or IndexOutOfRangeException or ArgumentException or NotSupportedException)
        {
            throw new DataFormatException(sourceName, $"cannot decode the JPEG data: {e.Message}", e);
        }
    }

    internal static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, "image file does not exist", e);
        }
    }

    private static Image DecodeRgb(byte[] bytes, bool orient)
    {
        using var image = SharpImage.Load<Rgb24>(bytes);
        if (orient)
        {
            image.Mutate(x => x.AutoOrient());
        }

        int w = image.Width, h = image.Height;
        var pixels = new float[checked(w * h * 3)];
        image.ProcessPixelRows(access =>
        {
            for (int y = 0; y < access.Height; y++)
            {
                Span<Rgb24> row = access.GetRowSpan(y);
                int o = y * w * 3;
                for (int x = 0; x < row.Length; x++)
                {
                    pixels[o + (3 * x)] = row[x].R / 255f;
                    pixels[o + (3 * x) + 1] = row[x].G / 255f;
                    pixels[o + (3 * x) + 2] = row[x].B / 255f;
                }
            }
        });
        return new Image(w, h, 3, pixels);
    }

    private static Image DecodeGray(byte[] bytes, bool orient)
    {
        using var image = SharpImage.Load<L8>(bytes);
        if (orient)
        {
            image.Mutate(x => x.AutoOrient());
        }

        int w = image.Width, h = image.Height;
        var pixels = new float[checked(w * h)];
        image.ProcessPixelRows(access =>
        {
            for (int y = 0; y < access.Height; y++)
            {
                Span<L8> row = access.GetRowSpan(y);
                int o = y * w;
                for (int x = 0; x < row.Length; x++)
                {
                    pixels[o + x] = row[x].PackedValue / 255f;
                }
            }
        });
        return new Image(w, h, 1, pixels);
    }
}
