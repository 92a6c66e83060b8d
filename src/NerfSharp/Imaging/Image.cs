namespace NerfSharp.Imaging;

/// <summary>
/// An image, row-major, channels interleaved (RGB or RGBA), values nominally in [0, 1]. Row 0 is the top of the picture.
/// Stored as floats, or, where memory is short (<see cref="FromBytes"/>), as the 8-bit samples it was decoded from: a
/// compact image reads each value as sample / 255 (the same float the float path holds) and, when made with a background
/// colour, presents RGBA as RGB composited over it exactly as <see cref="ImageOps.CompositeOver"/> does. A compact image
/// has no float buffer: read it with <see cref="ReadPixel"/> or the indexer, or make a float copy with <see cref="ToFloat"/>.
/// </summary>
public sealed class Image
{
    private readonly float[]? pixels;
    private readonly byte[]? samples;
    private readonly int storedChannels;
    private readonly (float R, float G, float B) background;

    public Image(int width, int height, int channels)
        : this(width, height, channels, new float[checked(width * height * channels)])
    {
    }

    public Image(int width, int height, int channels, float[] pixels)
    {
        CheckShape(width, height, channels, pixels.Length);
        Width = width;
        Height = height;
        Channels = channels;
        storedChannels = channels;
        this.pixels = pixels;
    }

    private Image(int width, int height, int storedChannels, byte[] samples, (float R, float G, float B)? compositeOver)
    {
        CheckShape(width, height, storedChannels, samples.Length);
        Width = width;
        Height = height;
        this.storedChannels = storedChannels;
        this.samples = samples;
        bool composite = compositeOver is not null && storedChannels == 4;
        Channels = composite ? 3 : storedChannels;
        background = compositeOver ?? default;
    }

    public int Width { get; }

    public int Height { get; }

    public int Channels { get; }

    /// <summary>True when the image holds 8-bit samples rather than floats.</summary>
    public bool IsCompact => samples is not null;

    /// <summary>Bytes the pixel storage takes.</summary>
    public long StorageBytes => samples?.LongLength ?? (4L * pixels!.LongLength);

    /// <summary>Interleaved samples: pixel (x, y) channel c at ((y * Width) + x) * Channels + c. Float images only.</summary>
    public float[] Pixels => pixels ?? throw new InvalidOperationException(
        $"a compact (8-bit) {Width}x{Height} image has no float buffer: read it with ReadPixel or make a copy with ToFloat()");

    public float this[int x, int y, int c]
    {
        get
        {
            if (pixels is not null)
            {
                return pixels[(((y * Width) + x) * Channels) + c];
            }

            Span<float> v = stackalloc float[4];
            ReadPixel(x, y, v);
            return v[c];
        }

        set => Pixels[(((y * Width) + x) * Channels) + c] = value;
    }

    /// <summary>
    /// An 8-bit image of <paramref name="channels"/> interleaved samples (each read as sample / 255). With
    /// <paramref name="compositeOver"/>, an RGBA image reads as RGB composited over that colour (c a + bg (1 - a), in float).
    /// </summary>
    public static Image FromBytes(int width, int height, int channels, byte[] samples, (float R, float G, float B)? compositeOver = null) =>
        new(width, height, channels, samples, compositeOver);

    /// <summary>Writes the <see cref="Channels"/> values of pixel (x, y) to <paramref name="values"/>.</summary>
    public void ReadPixel(int x, int y, Span<float> values)
    {
        if (pixels is not null)
        {
            pixels.AsSpan(((y * Width) + x) * Channels, Channels).CopyTo(values);
            return;
        }

        int o = ((y * Width) + x) * storedChannels;
        if (Channels == storedChannels)
        {
            for (int c = 0; c < storedChannels; c++)
            {
                values[c] = samples![o + c] / 255f;
            }

            return;
        }

        float alpha = samples![o + 3] / 255f;
        float oneMinusAlpha = 1f - alpha;
        values[0] = (samples[o] / 255f * alpha) + (background.R * oneMinusAlpha);
        values[1] = (samples[o + 1] / 255f * alpha) + (background.G * oneMinusAlpha);
        values[2] = (samples[o + 2] / 255f * alpha) + (background.B * oneMinusAlpha);
    }

    /// <summary>This image with float storage: itself when it already has it, else a decoded copy.</summary>
    public Image ToFloat()
    {
        if (pixels is not null)
        {
            return this;
        }

        var copy = new Image(Width, Height, Channels);
        Span<float> v = stackalloc float[4];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                ReadPixel(x, y, v);
                v[..Channels].CopyTo(copy.pixels.AsSpan(((y * Width) + x) * Channels));
            }
        }

        return copy;
    }

    private static void CheckShape(int width, int height, int channels, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (channels is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1..4");
        }

        if (length != (long)width * height * channels)
        {
            throw new ArgumentException($"pixel buffer holds {length} values, expected {width}x{height}x{channels}");
        }
    }
}
