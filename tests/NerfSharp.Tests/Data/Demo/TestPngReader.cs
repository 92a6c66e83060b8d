using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NerfSharp.Tests.Data.Demo;

/// <summary>
/// A small independent PNG reader for the demo-scene tests (8-bit, non-interlaced, RGB or RGBA), written from the
/// PNG specification so the generated files are checked by code other than the encoder that wrote them.
/// Returns interleaved 8-bit RGBA.
/// </summary>
internal static class TestPngReader
{
    public static (int Width, int Height, byte[] Rgba) Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, file[..8]);
        int pos = 8, width = 0, height = 0, colorType = -1;
        using var idat = new MemoryStream();
        while (pos < file.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(pos));
            string type = Encoding.ASCII.GetString(file, pos + 4, 4);
            var data = file.AsSpan(pos + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos + 8 + length));
            Assert.Equal(Crc(file.AsSpan(pos + 4, length + 4)), crc);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                colorType = data[9];
                Assert.Equal(0, data[12]);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            pos += 12 + length;
            if (type == "IEND")
            {
                break;
            }
        }

        int channels = colorType switch { 6 => 4, 2 => 3, _ => throw new InvalidDataException($"colour type {colorType}") };
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        int stride = width * channels;
        var raw = new byte[height * (stride + 1)];
        z.ReadExactly(raw);
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                int a = i >= channels ? pixels[(y * stride) + i - channels] : 0;
                int b = y > 0 ? pixels[((y - 1) * stride) + i] : 0;
                int c = i >= channels && y > 0 ? pixels[((y - 1) * stride) + i - channels] : 0;
                int pred = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                };
                pixels[(y * stride) + i] = (byte)(raw[(y * (stride + 1)) + 1 + i] + pred);
            }
        }

        var rgba = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            for (int k = 0; k < 4; k++)
            {
                rgba[(p * 4) + k] = k < channels ? pixels[(p * channels) + k] : (byte)255;
            }
        }

        return (width, height, rgba);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte x in data)
        {
            crc ^= x;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
