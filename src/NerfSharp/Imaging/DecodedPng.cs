using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Imaging;

/// <summary>
/// The integer samples of a decoded PNG after expansion: palette entries looked up, sub-8-bit gray
/// scaled to 8-bit levels, transparency (tRNS) turned into an alpha channel.
/// Channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. Samples are interleaved, row 0 at the top,
/// each in 0..255 (<see cref="BitDepth"/> 8) or 0..65535 (<see cref="BitDepth"/> 16).
/// </summary>
public sealed class DecodedPng
{
    public DecodedPng(int width, int height, int channels, int bitDepth, ushort[] samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (channels is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1..4");
        }

        if (bitDepth is not (8 or 16))
        {
            throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "bit depth must be 8 or 16");
        }

        if (samples.Length != (long)width * height * channels)
        {
            throw new ArgumentException($"sample buffer holds {samples.Length} values, expected {width}x{height}x{channels}", nameof(samples));
        }

        Width = width;
        Height = height;
        Channels = channels;
        BitDepth = bitDepth;
        Samples = samples;
    }

    public int Width { get; }

    public int Height { get; }

    public int Channels { get; }

    /// <summary>8 or 16.</summary>
    public int BitDepth { get; }

    /// <summary>The largest sample value: 255 or 65535.</summary>
    public int MaxValue => BitDepth == 16 ? 65535 : 255;

    /// <summary>Interleaved samples: pixel (x, y) channel c at ((y * Width) + x) * Channels + c.</summary>
    public ushort[] Samples { get; }

    /// <summary>A float image with the same channels, each sample divided by <see cref="MaxValue"/> (in float).</summary>
    public Image ToImage()
    {
        var pixels = new float[Samples.Length];
        float max = MaxValue;
        ReadOnlySpan<ushort> samples = Samples;
        ref ushort src = ref MemoryMarshal.GetReference(samples);
        ref float dst = ref MemoryMarshal.GetArrayDataReference(pixels);
        var divisor = Vector128.Create(max);
        int i = 0;

        // 8 samples at a time: 16-bit lanes widened to 32-bit integers (exact), converted to float, divided
        // (a true division, so each lane equals the scalar v / max); scalar tail.
        for (; i + Vector128<ushort>.Count <= samples.Length; i += Vector128<ushort>.Count)
        {
            var v = Vector128.LoadUnsafe(ref src, (nuint)i);
            (Vector128.ConvertToSingle(Vector128.WidenLower(v).AsInt32()) / divisor).StoreUnsafe(ref dst, (nuint)i);
            (Vector128.ConvertToSingle(Vector128.WidenUpper(v).AsInt32()) / divisor).StoreUnsafe(ref dst, (nuint)(i + Vector128<float>.Count));
        }

        for (; i < samples.Length; i++)
        {
            pixels[i] = samples[i] / max;
        }

        return new Image(Width, Height, Channels, pixels);
    }
}
