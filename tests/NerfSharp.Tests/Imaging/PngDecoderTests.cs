using NerfSharp.Imaging;

namespace NerfSharp.Tests.Imaging;

/// <summary>PngDecoder against fixtures from the independent <see cref="TestPngWriter"/>, compared pixel-exact.</summary>
public sealed class PngDecoderTests
{
    private static readonly (int Width, int Height)[] Sizes = [(1, 1), (2, 3), (13, 11), (37, 9), (8, 8), (5, 17)];

    public static TheoryData<int, int, bool> AllFormats()
    {
        var data = new TheoryData<int, int, bool>();
        (int ColorType, int[] Depths)[] formats =
        [
            (0, [1, 2, 4, 8, 16]), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16]),
        ];
        foreach (var (colorType, depths) in formats)
        {
            foreach (int depth in depths)
            {
                data.Add(colorType, depth, false);
                data.Add(colorType, depth, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void DecodesEveryColourTypeBitDepthAndInterlace(int colorType, int bitDepth, bool interlaced)
    {
        var rng = new Random((colorType * 1000) + (bitDepth * 10) + (interlaced ? 1 : 0));
        for (int i = 0; i < Sizes.Length; i++)
        {
            var (w, h) = Sizes[i];
            byte[]? palette = null;
            int maxSample = (1 << bitDepth) - 1;
            if (colorType == 3)
            {
                // A palette that is full for small depths and partial (100 entries) at depth 8.
                int entries = Math.Min(1 << bitDepth, 100);
                palette = RandomBytes(rng, 3 * entries);
                maxSample = entries - 1;
            }

            var format = new PngFixtureFormat(colorType, bitDepth, interlaced, Filter: -1, Stored: i % 2 == 0,
                IdatChunkSize: i == 3 ? 7 : int.MaxValue, Palette: palette);
            AssertDecodesExactly(w, h, RandomSamples(rng, w * h * TestPngWriter.SamplesPerPixel(colorType), maxSample), format);
        }
    }

    public static TheoryData<int, int, int, bool> FilterCases()
    {
        var data = new TheoryData<int, int, int, bool>();
        for (int filter = 0; filter < 5; filter++)
        {
            foreach (var (colorType, depth) in new[] { (6, 16), (0, 1), (2, 8), (4, 8), (0, 16) })
            {
                data.Add(filter, colorType, depth, filter % 2 == 0);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void DecodesEachFilterOnEveryRow(int filter, int colorType, int bitDepth, bool interlaced)
    {
        var rng = new Random((filter * 100) + colorType + bitDepth);
        var format = new PngFixtureFormat(colorType, bitDepth, interlaced, Filter: filter);
        int w = 23, h = 14;
        AssertDecodesExactly(w, h, RandomSamples(rng, w * h * TestPngWriter.SamplesPerPixel(colorType), (1 << bitDepth) - 1), format);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(4, false)]
    [InlineData(8, true)]
    public void PaletteTransparencyAddsAlpha(int bitDepth, bool interlaced)
    {
        var rng = new Random(bitDepth);
        int entries = 1 << Math.Min(bitDepth, 4);
        byte[] palette = RandomBytes(rng, 3 * entries);
        byte[] alpha = RandomBytes(rng, Math.Max(1, entries - 1)); // shorter than the palette: the rest are opaque
        var format = new PngFixtureFormat(3, bitDepth, interlaced, Palette: palette, Transparency: alpha);
        int w = 19, h = 10;
        var samples = RandomSamples(rng, w * h, entries - 1);
        AssertDecodesExactly(w, h, samples, format);
        Assert.Equal(4, PngDecoder.Decode(TestPngWriter.Write(w, h, samples, format), "fixture").Channels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void GrayColourKeyBecomesAlpha(int bitDepth)
    {
        var rng = new Random(bitDepth + 50);
        int key = (1 << bitDepth) / 2;
        int w = 16, h = 9;

        // Few distinct values so that the key occurs often.
        var samples = RandomSamples(rng, w * h, Math.Min(3, (1 << bitDepth) - 1));
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = samples[i] == 0 ? key : samples[i];
        }

        var format = new PngFixtureFormat(0, bitDepth, Interlaced: bitDepth == 4, Transparency: [(byte)(key >> 8), (byte)key]);
        var decoded = AssertDecodesExactly(w, h, samples, format);
        Assert.Equal(2, decoded.Channels);
        Assert.Contains((ushort)0, decoded.Samples.Where((_, i) => i % 2 == 1));
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(16, true)]
    public void RgbColourKeyBecomesAlpha(int bitDepth, bool interlaced)
    {
        var rng = new Random(bitDepth + 70);
        int w = 12, h = 7;
        var samples = RandomSamples(rng, w * h * 3, 2);
        int[] key = [1, 2, 0];
        var format = new PngFixtureFormat(2, bitDepth, interlaced, Transparency: [0, 1, 0, 2, 0, 0]);
        samples[0] = key[0];
        samples[1] = key[1];
        samples[2] = key[2];
        var decoded = AssertDecodesExactly(w, h, samples, format);
        Assert.Equal(4, decoded.Channels);
        Assert.Equal(0, decoded.Samples[3]);
    }

    [Fact]
    public void SkipsAncillaryChunksAndJoinsManyIdatChunks()
    {
        var rng = new Random(5);
        int w = 31, h = 21;
        var format = new PngFixtureFormat(6, 8, IdatChunkSize: 1, ExtraChunks: true);
        AssertDecodesExactly(w, h, RandomSamples(rng, w * h * 4, 255), format);
    }

    [Fact]
    public void StoredBlocksLongerThanOneDeflateBlock()
    {
        var rng = new Random(6);
        int w = 130, h = 130; // 130 * (1 + 520) bytes of 16-bit RGBA data span several 64 KiB stored blocks
        var format = new PngFixtureFormat(6, 16, Stored: true);
        AssertDecodesExactly(w, h, RandomSamples(rng, w * h * 4, 65535), format);
    }

    [Fact]
    public void ReadImageScalesSamplesToUnitFloats()
    {
        string dir = Directory.CreateTempSubdirectory("nerfsharp-png-").FullName;
        try
        {
            int w = 5, h = 4;
            int[] eight = RandomSamples(new Random(1), w * h * 3, 255);
            int[] sixteen = RandomSamples(new Random(2), w * h * 2, 65535);
            string path8 = Path.Combine(dir, "rgb8.png"), path16 = Path.Combine(dir, "ga16.png");
            File.WriteAllBytes(path8, TestPngWriter.Write(w, h, eight, new PngFixtureFormat(2, 8)));
            File.WriteAllBytes(path16, TestPngWriter.Write(w, h, sixteen, new PngFixtureFormat(4, 16)));

            Image image8 = PngDecoder.ReadImage(path8);
            Assert.Equal((5, 4, 3), (image8.Width, image8.Height, image8.Channels));
            Assert.Equal(eight.Select(v => v / 255f), image8.Pixels);

            Image image16 = PngDecoder.ReadImage(path16);
            Assert.Equal(2, image16.Channels);
            Assert.Equal(sixteen.Select(v => v / 65535f), image16.Pixels);

            string missing = Path.Combine(dir, "missing.png");
            var e = Assert.Throws<DataFormatException>(() => PngDecoder.ReadImage(missing));
            Assert.Equal(missing, e.FilePath);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TruncatedFilesNameTheSourceAndTheProblem()
    {
        var rng = new Random(7);
        int w = 13, h = 11;
        byte[] png = TestPngWriter.Write(w, h, RandomSamples(rng, w * h * 3, 255), new PngFixtureFormat(2, 8, IdatChunkSize: 100));
        int[] cuts = [0, 5, 8, 20, 33, 60, png.Length / 2, png.Length - 13, png.Length - 12, png.Length - 1];
        foreach (int cut in cuts)
        {
            var e = Assert.Throws<DataFormatException>(() => PngDecoder.Decode(png.AsSpan(0, cut), "cut.png"));
            Assert.Equal("cut.png", e.FilePath);
            Assert.StartsWith("cut.png: ", e.Message);
            Assert.True(cut == 0 || e.Problem.Contains("truncated", StringComparison.Ordinal), $"cut at {cut}: {e.Problem}");
        }
    }

    [Fact]
    public void TruncatedImageDataIsReported()
    {
        // Chunks intact (valid CRCs) but the zlib stream holds only part of the rows.
        var rng = new Random(8);
        int w = 20, h = 20;
        byte[] half = TestPngWriter.Write(w, h / 2, RandomSamples(rng, w * h / 2, 255), new PngFixtureFormat(0, 8, Stored: true));

        // Declare twice the rows that the image data holds.
        byte[] spliced = [.. half];
        spliced[8 + 8 + 7] = (byte)h; // IHDR height low byte
        FixChunkCrc(spliced, 8);
        var e = Assert.Throws<DataFormatException>(() => PngDecoder.Decode(spliced, "short.png"));
        Assert.Contains("truncated image data", e.Problem);
    }

    [Fact]
    public void BadCrcIsReported()
    {
        var rng = new Random(9);
        byte[] png = TestPngWriter.Write(9, 9, RandomSamples(rng, 81 * 4, 255), new PngFixtureFormat(6, 8));
        png[8 + 8 + 13 + 4 + 8 + 3] ^= 0x10; // a byte inside the IDAT data
        var e = Assert.Throws<DataFormatException>(() => PngDecoder.Decode(png, "crc.png"));
        Assert.Equal("crc.png", e.FilePath);
        Assert.Contains("CRC mismatch in IDAT", e.Problem);
    }

    [Fact]
    public void CorruptContentWithValidCrcsIsReported()
    {
        var rng = new Random(10);
        var format = new PngFixtureFormat(2, 8, Stored: true);
        byte[] png = TestPngWriter.Write(6, 5, RandomSamples(rng, 90, 255), format);
        const int idat = 8 + 25; // IDAT chunk offset after the signature and the IHDR chunk

        byte[] badZlib = [.. png];
        badZlib[idat + 8] = 0x00; // zlib header CMF
        FixChunkCrc(badZlib, idat);
        Assert.Contains("corrupt zlib data", Assert.Throws<DataFormatException>(() => PngDecoder.Decode(badZlib, "z.png")).Problem);

        byte[] badFilter = [.. png];
        badFilter[idat + 8 + 2 + 5] = 9; // first filter byte, after the zlib header and the stored block header
        FixStoredAdler(badFilter, idat);
        FixChunkCrc(badFilter, idat);
        Assert.Contains("unknown filter type 9", Assert.Throws<DataFormatException>(() => PngDecoder.Decode(badFilter, "f.png")).Problem);

        byte[] badSignature = [.. png];
        badSignature[1] = (byte)'J';
        Assert.Contains("signature", Assert.Throws<DataFormatException>(() => PngDecoder.Decode(badSignature, "s.png")).Problem);

        byte[] badDepth = [.. png];
        badDepth[8 + 8 + 8] = 4; // RGB at 4 bits is not a PNG format
        FixChunkCrc(badDepth, 8);
        Assert.Contains("invalid bit depth", Assert.Throws<DataFormatException>(() => PngDecoder.Decode(badDepth, "d.png")).Problem);
    }

    [Fact]
    public void PaletteIndexOutsideThePaletteIsReported()
    {
        var format = new PngFixtureFormat(3, 8, Palette: [1, 2, 3, 4, 5, 6]);
        byte[] png = TestPngWriter.Write(2, 2, [0, 1, 5, 0], format);
        var e = Assert.Throws<DataFormatException>(() => PngDecoder.Decode(png, "p.png"));
        Assert.Contains("palette index 5", e.Problem);
    }

    private static DecodedPng AssertDecodesExactly(int w, int h, int[] samples, PngFixtureFormat format)
    {
        byte[] png = TestPngWriter.Write(w, h, samples, format);
        var (channels, depth, expected) = TestPngWriter.Expected(w, h, samples, format);
        DecodedPng decoded = PngDecoder.Decode(png, "fixture.png");
        Assert.Equal((w, h, channels, depth), (decoded.Width, decoded.Height, decoded.Channels, decoded.BitDepth));
        Assert.Equal(expected, decoded.Samples);
        return decoded;
    }

    /// <summary>Recomputes the Adler-32 of a one-block stored zlib stream filling the IDAT chunk at <paramref name="offset"/>.</summary>
    private static void FixStoredAdler(byte[] png, int offset)
    {
        int length = (png[offset] << 24) | (png[offset + 1] << 16) | (png[offset + 2] << 8) | png[offset + 3];
        int dataStart = offset + 8 + 2 + 5, dataEnd = offset + 8 + length - 4;
        uint a = 1, b = 0;
        for (int i = dataStart; i < dataEnd; i++)
        {
            a = (a + png[i]) % 65521;
            b = (b + a) % 65521;
        }

        uint adler = (b << 16) | a;
        png[dataEnd] = (byte)(adler >> 24);
        png[dataEnd + 1] = (byte)(adler >> 16);
        png[dataEnd + 2] = (byte)(adler >> 8);
        png[dataEnd + 3] = (byte)adler;
    }

    /// <summary>Recomputes the CRC of the chunk starting at <paramref name="offset"/> after a deliberate edit.</summary>
    private static void FixChunkCrc(byte[] png, int offset)
    {
        int length = (png[offset] << 24) | (png[offset + 1] << 16) | (png[offset + 2] << 8) | png[offset + 3];
        uint crc = TestPngWriter.BitwiseCrc32(png.AsSpan(offset + 4, length + 4).ToArray());
        int at = offset + 8 + length;
        png[at] = (byte)(crc >> 24);
        png[at + 1] = (byte)(crc >> 16);
        png[at + 2] = (byte)(crc >> 8);
        png[at + 3] = (byte)crc;
    }

    private static int[] RandomSamples(Random rng, int count, int maxValue)
    {
        var samples = new int[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = rng.Next(maxValue + 1);
        }

        return samples;
    }

    private static byte[] RandomBytes(Random rng, int count)
    {
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return bytes;
    }
}
