using NerfSharp.Imaging;

namespace NerfSharp.Data;

/// <summary>
/// Which pixels of one view count, as nerfstudio's masks: a pixel whose mask value is 0 is ignored (never sampled for
/// training, never scored), any other value keeps it. Read from the first channel of a PNG or JPEG mask image; downscaled
/// by nearest neighbour (nerfstudio resizes masks with PIL's NEAREST), so a kept pixel is one whose source pixel was kept.
/// </summary>
public sealed class PixelMask
{
    private readonly bool[] keep;

    public PixelMask(int width, int height, bool[] keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (keep.Length != (long)width * height)
        {
            throw new ArgumentException($"a {width}x{height} mask needs {(long)width * height} values, got {keep.Length}", nameof(keep));
        }

        Width = width;
        Height = height;
        this.keep = keep;
        for (int i = 0; i < keep.Length; i++)
        {
            KeptCount += keep[i] ? 1 : 0;
        }
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Pixels that count.</summary>
    public int KeptCount { get; }

    /// <summary>True when pixel (x, y) counts.</summary>
    public bool Keeps(int x, int y) => keep[(y * Width) + x];

    /// <summary>
    /// Reads the mask image at <paramref name="path"/> for a view of <paramref name="width"/> x <paramref name="height"/> that was
    /// downscaled by <paramref name="downscale"/> from the mask's size; a size that does not match is an error naming the file.
    /// </summary>
    public static PixelMask Load(string path, int width, int height, int downscale)
    {
        Image image = ImageFile.Read(path);
        if (image.Width / downscale != width || image.Height / downscale != height)
        {
            throw new DataFormatException(path, $"mask is {image.Width}x{image.Height}, but its image is {width}x{height}{(downscale > 1 ? $" after downscale {downscale}" : string.Empty)}");
        }

        var keep = new bool[width * height];
        int offset = downscale / 2;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                keep[(y * width) + x] = image[(x * downscale) + offset, (y * downscale) + offset, 0] > 0;
            }
        }

        var mask = new PixelMask(width, height, keep);
        return mask.KeptCount > 0 ? mask : throw new DataFormatException(path, "mask keeps no pixel (every value is 0)");
    }
}
