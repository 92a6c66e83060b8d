using System.Buffers.Binary;
using System.IO.Compression;

namespace NerfSharp.Imaging;

/// <summary>
/// Writes 8-bit PNG files (gray, gray+alpha, RGB or RGBA, by the image's channel count) in managed code
/// over <see cref="ZLibStream"/>. Values are clamped to [0, 1] and rounded to the nearest level.
/// Each row uses the filter (of the five PNG filters) with the smallest sum of absolute residuals.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static void Write(string path, Image image) =>
        NerfSharp.IO.AtomicFile.WriteAllBytes(path, Encode(image));

    public static byte[] Encode(Image image)
    {
        int channels = image.Channels;
        int colorType = channels switch { 1 => 0, 2 => 4, 3 => 2, 4 => 6, _ => throw new ArgumentException("unsupported channel count") };
        int stride = image.Width * channels;
        var raw = new byte[image.Height * stride];
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    float v = image[x, y, c];
                    v = float.IsNaN(v) ? 0f : Math.Clamp(v, 0f, 1f);
                    raw[(y * stride) + (x * channels) + c] = (byte)MathF.Round(v * 255f);
                }
            }
        }

        return EncodeRaw(raw, image.Width, image.Height, channels, colorType);
    }

    /// <summary>
    /// Writes a 16-bit PNG (gray, RGB or RGBA, by the image's channel count; 2 channels are written as
    /// gray+alpha). Values are clamped to [0, 1] and rounded to the nearest of 65536 levels.
    /// </summary>
    public static byte[] Encode16(Image image)
    {
        int channels = image.Channels;
        int colorType = channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        int stride = image.Width * channels * 2;
        var raw = new byte[image.Height * stride];
        ReadOnlySpan<float> pixels = image.Pixels;
        for (int i = 0; i < pixels.Length; i++)
        {
            float v = pixels[i];
            v = float.IsNaN(v) ? 0f : Math.Clamp(v, 0f, 1f);
            BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(2 * i), (ushort)MathF.Round(v * 65535f));
        }

        return EncodeFiltered(raw, image.Width, image.Height, channels * 2, colorType, bitDepth: 16);
    }

    /// <summary>Writes <see cref="Encode16"/>'s PNG to <paramref name="path"/> atomically.</summary>
    public static void Write16(string path, Image image) =>
        NerfSharp.IO.AtomicFile.WriteAllBytes(path, Encode16(image));

    /// <summary>Encodes 8-bit interleaved samples.</summary>
    public static byte[] EncodeRaw(byte[] raw, int width, int height, int channels, int colorType) =>
        EncodeFiltered(raw, width, height, channels, colorType, bitDepth: 8);

    /// <summary>Filters and compresses interleaved big-endian samples; <paramref name="bytesPerPixel"/> is the filters' left distance.</summary>
    private static byte[] EncodeFiltered(byte[] raw, int width, int height, int bytesPerPixel, int colorType, int bitDepth)
    {
        int channels = bytesPerPixel;
        int stride = width * channels;
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            var filtered = new byte[stride + 1];
            var best = new byte[stride + 1];
            var prev = new byte[stride];
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> row = raw.AsSpan(y * stride, stride);
                long bestScore = long.MaxValue;
                for (int f = 0; f < 5; f++)
                {
                    filtered[0] = (byte)f;
                    long score = 0;
                    for (int i = 0; i < stride; i++)
                    {
                        int a = i >= channels ? row[i - channels] : 0;
                        int b = prev[i];
                        int c = i >= channels ? prev[i - channels] : 0;
                        int pred = f switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => Paeth(a, b, c) };
                        byte r = (byte)(row[i] - pred);
                        filtered[i + 1] = r;
                        score += r < 128 ? r : 256 - r;
                    }

                    if (score < bestScore)
                    {
                        bestScore = score;
                        filtered.CopyTo(best, 0);
                    }
                }

                z.Write(best);
                row.CopyTo(prev);
            }
        }

        using var png = new MemoryStream();
        png.Write(Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", idat.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    internal static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeAndData = new byte[4 + data.Length];
        for (int i = 0; i < 4; i++)
        {
            typeAndData[i] = (byte)type[i];
        }

        data.CopyTo(typeAndData, 4);
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32.Compute(typeAndData));
        s.Write(len);
    }
}

/// <summary>CRC-32 (ISO-HDLC, the polynomial PNG and zlib use).</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    /// <summary>Continues a running CRC (start with 0xFFFFFFFF, finish by xor 0xFFFFFFFF).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            t[n] = c;
        }

        return t;
    }
}
