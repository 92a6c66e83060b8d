namespace NerfSharp.Imaging;

/// <summary>
/// A float image, row-major, channels interleaved (RGB or RGBA), values nominally in [0, 1].
/// Row 0 is the top of the picture.
/// </summary>
public sealed class Image
{
    public Image(int width, int height, int channels)
        : this(width, height, channels, new float[checked(width * height * channels)])
    {
    }

    public Image(int width, int height, int channels, float[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (channels is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1..4");
        }

        if (pixels.Length != width * height * channels)
        {
            throw new ArgumentException($"pixel buffer holds {pixels.Length} values, expected {width}x{height}x{channels}", nameof(pixels));
        }

        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public int Channels { get; }

    /// <summary>Interleaved samples: pixel (x, y) channel c at ((y * Width) + x) * Channels + c.</summary>
    public float[] Pixels { get; }

    public float this[int x, int y, int c]
    {
        get => Pixels[(((y * Width) + x) * Channels) + c];
        set => Pixels[(((y * Width) + x) * Channels) + c] = value;
    }
}
