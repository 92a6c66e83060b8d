using System.IO.Compression;

namespace NerfSharp.Tests.Imaging;

/// <summary>
/// Test-only PNG writer for decoder fixtures, written from the PNG specification and sharing no code with the
/// library's codec: every colour type and bit depth, a chosen (or per-row cycling) filter, Adam7 interlacing,
/// PLTE/tRNS, image data split over several IDAT chunks, stored (uncompressed) or deflated zlib data,
/// optional ancillary chunks. It also computes what a decoder must return for the file (<see cref="Expected"/>).
/// </summary>
internal static class TestPngWriter
{
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7Passes =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    /// <summary>Samples stored per pixel: gray 1, RGB 3, palette index 1, gray+alpha 2, RGBA 4.</summary>
    public static int SamplesPerPixel(int colorType) => colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ArgumentException("colour type") };

    /// <summary>
    /// Encodes <paramref name="fileSamples"/> (per pixel, row-major, <see cref="SamplesPerPixel"/> values at the
    /// file's bit depth; palette indices for colour type 3) as a PNG.
    /// </summary>
    public static byte[] Write(int width, int height, int[] fileSamples, PngFixtureFormat f)
    {
        int spp = SamplesPerPixel(f.ColorType);
        if (fileSamples.Length != width * height * spp)
        {
            throw new ArgumentException("sample count");
        }

        using var raw = new MemoryStream();
        int rowIndex = 0;
        var passes = f.Interlaced ? Adam7Passes : [(0, 0, 1, 1)];
        foreach (var (x0, y0, dx, dy) in passes)
        {
            var xs = new List<int>();
            for (int x = x0; x < width; x += dx)
            {
                xs.Add(x);
            }

            byte[]? prior = null;
            for (int y = y0; y < height && xs.Count > 0; y += dy)
            {
                byte[] packed = PackRow(fileSamples, width, y, xs, spp, f.BitDepth);
                prior ??= new byte[packed.Length];
                int filter = f.Filter >= 0 ? f.Filter : rowIndex % 5;
                raw.WriteByte((byte)filter);
                raw.Write(FilterRow(packed, prior, Math.Max(1, spp * f.BitDepth / 8), filter));
                prior = packed;
                rowIndex++;
            }
        }

        byte[] zlib = f.Stored ? ZlibStored(raw.ToArray()) : ZlibDeflated(raw.ToArray());

        using var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        PutBigEndian(ihdr, 0, (uint)width);
        PutBigEndian(ihdr, 4, (uint)height);
        ihdr[8] = (byte)f.BitDepth;
        ihdr[9] = (byte)f.ColorType;
        ihdr[12] = (byte)(f.Interlaced ? 1 : 0);
        Chunk(png, "IHDR", ihdr);
        if (f.ExtraChunks)
        {
            Chunk(png, "gAMA", [0, 0, 0xB1, 0x8F]);
            Chunk(png, "tEXt", "Comment\0test fixture"u8.ToArray());
        }

        if (f.Palette is not null)
        {
            Chunk(png, "PLTE", f.Palette);
        }

        if (f.Transparency is not null)
        {
            Chunk(png, "tRNS", f.Transparency);
        }

        for (int start = 0; start < zlib.Length; start += f.IdatChunkSize)
        {
            Chunk(png, "IDAT", zlib.AsSpan(start, Math.Min(f.IdatChunkSize, zlib.Length - start)).ToArray());
        }

        if (f.ExtraChunks)
        {
            Chunk(png, "tIME", [7, 230, 1, 2, 3, 4, 5]);
        }

        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>What a decoder must produce: channels after expansion, bit depth (8 or 16), interleaved samples.</summary>
    public static (int Channels, int BitDepth, ushort[] Samples) Expected(int width, int height, int[] fileSamples, PngFixtureFormat f)
    {
        int spp = SamplesPerPixel(f.ColorType);
        int depth = f.BitDepth;
        int maxValue = depth == 16 ? 65535 : 255;
        bool hasAlpha = f.ColorType is 4 or 6 || f.Transparency is not null;
        int channels = (f.ColorType is 0 or 4 ? 1 : 3) + (hasAlpha ? 1 : 0);
        var output = new List<ushort>();
        for (int p = 0; p < width * height; p++)
        {
            var s = fileSamples.AsSpan(p * spp, spp);
            switch (f.ColorType)
            {
                case 0:
                    output.Add((ushort)(depth < 8 ? s[0] * 255 / ((1 << depth) - 1) : s[0]));
                    if (hasAlpha)
                    {
                        output.Add((ushort)(s[0] == ((f.Transparency![0] << 8) | f.Transparency[1]) ? 0 : maxValue));
                    }

                    break;
                case 2:
                    output.Add((ushort)s[0]);
                    output.Add((ushort)s[1]);
                    output.Add((ushort)s[2]);
                    if (hasAlpha)
                    {
                        var t = f.Transparency!;
                        bool key = s[0] == ((t[0] << 8) | t[1]) && s[1] == ((t[2] << 8) | t[3]) && s[2] == ((t[4] << 8) | t[5]);
                        output.Add((ushort)(key ? 0 : maxValue));
                    }

                    break;
                case 3:
                    output.Add(f.Palette![3 * s[0]]);
                    output.Add(f.Palette[(3 * s[0]) + 1]);
                    output.Add(f.Palette[(3 * s[0]) + 2]);
                    if (hasAlpha)
                    {
                        output.Add((ushort)(s[0] < f.Transparency!.Length ? f.Transparency[s[0]] : 255));
                    }

                    break;
                default:
                    foreach (int v in s)
                    {
                        output.Add((ushort)v);
                    }

                    break;
            }
        }

        return (channels, depth == 16 ? 16 : 8, output.ToArray());
    }

    private static byte[] PackRow(int[] samples, int width, int y, List<int> xs, int spp, int depth)
    {
        int bits = xs.Count * spp * depth;
        var row = new byte[(bits + 7) / 8];
        int bit = 0;
        foreach (int x in xs)
        {
            for (int c = 0; c < spp; c++)
            {
                int v = samples[(((y * width) + x) * spp) + c];
                if (depth == 16)
                {
                    row[bit / 8] = (byte)(v >> 8);
                    row[(bit / 8) + 1] = (byte)v;
                }
                else
                {
                    // Sub-byte samples fill each byte from its most significant bit.
                    row[bit / 8] |= (byte)(v << (8 - depth - (bit % 8)));
                }

                bit += depth;
            }
        }

        return row;
    }

    private static byte[] FilterRow(byte[] row, byte[] prior, int bpp, int filter)
    {
        var output = new byte[row.Length];
        for (int i = 0; i < row.Length; i++)
        {
            int left = i >= bpp ? row[i - bpp] : 0;
            int up = prior[i];
            int upLeft = i >= bpp ? prior[i - bpp] : 0;
            int predictor = filter switch
            {
                0 => 0,
                1 => left,
                2 => up,
                3 => (left + up) / 2,
                4 => PaethPredictor(left, up, upLeft),
                _ => throw new ArgumentException("filter"),
            };
            output[i] = unchecked((byte)(row[i] - predictor));
        }

        return output;
    }

    /// <summary>PNG spec 9.4: the neighbour closest to left + up - upLeft, ties in the order left, up, upLeft.</summary>
    private static int PaethPredictor(int left, int up, int upLeft)
    {
        int estimate = left + up - upLeft;
        int distLeft = Math.Abs(estimate - left);
        int distUp = Math.Abs(estimate - up);
        int distUpLeft = Math.Abs(estimate - upLeft);
        if (distLeft <= distUp && distLeft <= distUpLeft)
        {
            return left;
        }

        return distUp <= distUpLeft ? up : upLeft;
    }

    /// <summary>zlib stream of stored deflate blocks (RFC 1950/1951), at most 65535 bytes each, then Adler-32.</summary>
    private static byte[] ZlibStored(byte[] data)
    {
        using var s = new MemoryStream();
        s.WriteByte(0x78);
        s.WriteByte(0x01);
        int offset = 0;
        do
        {
            int length = Math.Min(65535, data.Length - offset);
            bool last = offset + length == data.Length;
            s.WriteByte((byte)(last ? 1 : 0));
            s.WriteByte((byte)length);
            s.WriteByte((byte)(length >> 8));
            s.WriteByte((byte)~length);
            s.WriteByte((byte)(~length >> 8));
            s.Write(data, offset, length);
            offset += length;
        }
        while (offset < data.Length);

        uint a = 1, b = 0;
        foreach (byte x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }

        var adler = new byte[4];
        PutBigEndian(adler, 0, (b << 16) | a);
        s.Write(adler);
        return s.ToArray();
    }

    private static byte[] ZlibDeflated(byte[] data)
    {
        using var s = new MemoryStream();
        using (var z = new ZLibStream(s, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(data);
        }

        return s.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        PutBigEndian(header, 0, (uint)data.Length);
        for (int i = 0; i < 4; i++)
        {
            header[4 + i] = (byte)type[i];
        }

        s.Write(header);
        s.Write(data);
        var crc = new byte[4];
        PutBigEndian(crc, 0, BitwiseCrc32([.. header.AsSpan(4), .. data]));
        s.Write(crc);
    }

    /// <summary>CRC-32 one bit at a time (reflected polynomial 0xEDB88320), as in the PNG spec's annex.</summary>
    internal static uint BitwiseCrc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte x in data)
        {
            crc ^= x;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void PutBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }
}
