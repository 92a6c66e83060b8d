using NerfSharp.Imaging;
using NerfSharp.Tests.Testing;
using Xunit.Abstractions;

namespace NerfSharp.Tests.Imaging;

/// <summary>
/// <see cref="JpegDecoder"/> (ImageSharp) against Debian's djpeg (libjpeg-turbo, islow DCT, fancy upsampling) on every
/// JPEG in the shared data and on files made here with cjpeg in every mode; refusals and EXIF orientation.
/// The two decoders differ by IDCT rounding and chroma upsampling, so the comparison pins the per-channel mean and
/// maximum absolute difference (in 8-bit levels) measured when the test was written.
/// </summary>
public sealed class JpegDecoderTests(ITestOutputHelper output)
{
    // Measured (per channel, 8-bit levels; all channels below the bound). ImageSharp 2.x replicates subsampled chroma
    // (box upsampling): against `djpeg -nosmooth` (also replication) it differs only by IDCT rounding, max 3 levels;
    // against default djpeg (libjpeg-turbo's "fancy" triangular upsampling of h2v1/h2v2 chroma) edges of saturated colour differ more.
    //   fox (67, 4:2:0):   default R 0.1415/26  G 0.0866/16  B 0.1207/23;  -nosmooth 0.0224/3  0.0203/2  0.0237/3
    //   beer (71):         default R 0.0381/13  G 0.0242/5   B 0.0622/14;  -nosmooth 0.0082/3  0.0071/3  0.0090/3
    //   bonsai (3):        default R 0.3827/16  G 0.2168/7   B 0.4915/14;  -nosmooth 0.0237/3  0.0215/2  0.0281/3
    [Theory]
    [InlineData("instant_ngp/fox/images", 0.145, 26)]
    [InlineData("colmap/beer/images", 0.065, 14)]
    [InlineData("colmap/bonsai_3view/images", 0.50, 16)]
    public void SharedJpegsMatchDjpeg(string folder, double meanBound, int maxBound)
    {
        string[] files = Directory.GetFiles(SharedData.Data(folder.Split('/')), "*.jp*g", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive });
        Array.Sort(files, StringComparer.Ordinal);
        Assert.NotEmpty(files);
        var stats = new DiffStats[files.Length];
        var nosmooth = new DiffStats[files.Length];
        Parallel.For(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var image = JpegDecoder.ReadImage(files[i], applyOrientation: false);
            stats[i] = Compare(files[i], image);
            nosmooth[i] = Compare(files[i], image, "-nosmooth");
        });

        var total = DiffStats.Combine(stats);
        var replicated = DiffStats.Combine(nosmooth);
        output.WriteLine($"{folder}: {files.Length} files, {total}; against djpeg -nosmooth: {replicated}");
        total.AssertWithin(meanBound, maxBound);
        replicated.AssertWithin(0.03, 3);
    }

    // Generated 61x47 files with a saturated block and chroma noise (harder on chroma than photos). Measured against default
    // djpeg: 4:2:0 (baseline, progressive, restarts, optimized) R 2.6289/51 G 1.4946/23 B 2.2361/46; 4:2:2 2.0157/38 0.9512/17
    // 1.8940/20; 4:4:0 1.9201/35 1.1995/14 2.0126/32; 4:4:4 and 4:1:1 (no fancy upsampling) at most 0.0446/3; gray 0.0150/1.
    // Against djpeg -nosmooth every file is within mean 0.045, max 3.
    [Theory]
    [InlineData("baseline-420", 2.63, 51, "-baseline", "-sample", "2x2")]
    [InlineData("baseline-444", 0.045, 3, "-sample", "1x1")]
    [InlineData("baseline-422", 2.02, 38, "-sample", "2x1")]
    [InlineData("baseline-440", 2.02, 35, "-sample", "1x2")]
    [InlineData("baseline-411", 0.045, 3, "-sample", "4x1")]
    [InlineData("progressive-420", 2.63, 51, "-progressive")]
    [InlineData("progressive-444", 0.045, 3, "-progressive", "-sample", "1x1")]
    [InlineData("restart-1-row", 2.63, 51, "-restart", "1")]
    [InlineData("restart-3-blocks", 2.63, 51, "-restart", "3b", "-progressive")]
    [InlineData("optimized", 2.63, 51, "-optimize")]
    [InlineData("grayscale", 0.016, 1, "-grayscale")]
    [InlineData("grayscale-progressive", 0.016, 1, "-grayscale", "-progressive")]
    public void GeneratedJpegsMatchDjpeg(string name, double meanBound, int maxBound, params string[] options)
    {
        using var dir = new TempDirectory("nerfsharp-jpeg");
        string path = dir.Combine(name + ".jpg");
        File.WriteAllBytes(path, LibJpegTools.Cjpeg(TestPattern(61, 47), [.. options, "-quality", "90"]));
        Image image = JpegDecoder.ReadImage(path);
        Assert.Equal(61, image.Width);
        Assert.Equal(47, image.Height);
        Assert.Equal(name.StartsWith("grayscale", StringComparison.Ordinal) ? 1 : 3, image.Channels);
        JpegInfo info = JpegInfo.Parse(File.ReadAllBytes(path), path);
        Assert.Equal(name.StartsWith("progressive", StringComparison.Ordinal) || name.EndsWith("progressive", StringComparison.Ordinal) || name == "restart-3-blocks", info.Progressive);
        var stats = Compare(path, image);
        var replicated = Compare(path, image, "-nosmooth");
        output.WriteLine($"{name}: {stats}; against djpeg -nosmooth: {replicated}");
        stats.AssertWithin(meanBound, maxBound);
        replicated.AssertWithin(0.045, 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void ExifOrientationIsApplied(int orientation)
    {
        using var dir = new TempDirectory("nerfsharp-jpeg");
        byte[] plain = LibJpegTools.Cjpeg(TestPattern(24, 16), "-sample", "1x1", "-quality", "95");
        string path = dir.Combine("rotated.jpg");
        File.WriteAllBytes(path, WithExifOrientation(plain, orientation));
        Assert.Equal(orientation, JpegInfo.Parse(File.ReadAllBytes(path), path).Orientation);

        Image stored = JpegDecoder.ReadImage(path, applyOrientation: false);
        Image shown = JpegDecoder.ReadImage(path);
        int w = stored.Width, h = stored.Height;
        Assert.Equal(orientation >= 5 ? (h, w) : (w, h), (shown.Width, shown.Height));
        for (int y = 0; y < shown.Height; y++)
        {
            for (int x = 0; x < shown.Width; x++)
            {
                // EXIF: where the displayed pixel (x, y) is stored.
                var (sx, sy) = orientation switch
                {
                    1 => (x, y),
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(stored[sx, sy, c], shown[x, y, c]);
                }
            }
        }
    }

    [Fact]
    public void RefusesCmykWithAMessageNamingTheFile()
    {
        using var dir = new TempDirectory("nerfsharp-jpeg");
        string path = dir.Combine("cmyk.jpg");

        // A frame header with 4 components (Adobe CMYK), a scan header and an end marker: refused before decoding.
        byte[] sof = [0xFF, 0xC0, 0, 20, 8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0];
        byte[] sos = [0xFF, 0xDA, 0, 14, 4, 1, 0, 2, 0, 3, 0, 4, 0, 0, 63, 0];
        File.WriteAllBytes(path, [0xFF, 0xD8, .. sof, .. sos, 0, 0, 0xFF, 0xD9]);
        var e = Assert.Throws<DataFormatException>(() => ImageFile.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("CMYK", e.Message);
    }

    [Fact]
    public void RefusesArithmeticCoding()
    {
        using var dir = new TempDirectory("nerfsharp-jpeg");
        string path = dir.Combine("arith.jpg");
        File.WriteAllBytes(path, LibJpegTools.Cjpeg(TestPattern(16, 16), "-arithmetic"));
        var e = Assert.Throws<DataFormatException>(() => JpegDecoder.ReadImage(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("arithmetic", e.Message);
    }

    [Fact]
    public void TruncatedAndMalformedFilesGiveAClearError()
    {
        using var dir = new TempDirectory("nerfsharp-jpeg");
        byte[] good = LibJpegTools.Cjpeg(TestPattern(40, 30), "-progressive");
        int[] cuts = [0, 1, 2, 3, 10, 100, good.Length / 2, good.Length - 2, good.Length - 1];
        foreach (int cut in cuts)
        {
            string path = dir.Combine($"cut{cut}.jpg");
            File.WriteAllBytes(path, good[..cut]);
            var e = Assert.Throws<DataFormatException>(() => ImageFile.Read(path));
            Assert.Equal(path, e.FilePath);
        }

        // Mutated bytes: either an image of the right size or a DataFormatException naming the file, never another exception.
        var rng = new Random(7);
        for (int k = 0; k < 300; k++)
        {
            byte[] bad = (byte[])good.Clone();
            int flips = 1 + rng.Next(4);
            for (int f = 0; f < flips; f++)
            {
                bad[rng.Next(bad.Length)] = (byte)rng.Next(256);
            }

            try
            {
                Image image = JpegDecoder.Decode(bad, "mutated.jpg");
                Assert.True(image.Width > 0 && image.Height > 0);
            }
            catch (DataFormatException e)
            {
                Assert.Equal("mutated.jpg", e.FilePath);
            }
        }
    }

    [Fact]
    public void ReadAllDecodesAFolderInParallelInOrder()
    {
        string[] files = Directory.GetFiles(SharedData.Data("colmap", "bonsai_3view", "images"));
        Array.Sort(files, StringComparer.Ordinal);
        Image[] all = ImageFile.ReadAll(files, maxParallelism: 2);
        for (int i = 0; i < files.Length; i++)
        {
            Assert.Equal(JpegDecoder.ReadImage(files[i]).Pixels, all[i].Pixels);
        }

        var sw = System.Diagnostics.Stopwatch.StartNew();
        string[] fox = Directory.GetFiles(SharedData.Data("instant_ngp", "fox", "images"));
        Image[] small = ImageFile.ReadAll(fox, image => ImageOps.DownsampleArea(image, 4), maxParallelism: 2);
        output.WriteLine($"decoded and downsampled {fox.Length} fox JPEGs in {sw.Elapsed.TotalSeconds:F2} s");
        Assert.All(small, image => Assert.Equal((270, 480), (image.Width, image.Height)));
    }

    private static DiffStats Compare(string path, Image image, params string[] djpegOptions)
    {
        var (w, h, channels, reference) = LibJpegTools.Djpeg(path, djpegOptions);
        Assert.Equal((w, h, channels), (image.Width, image.Height, image.Channels));
        var stats = new DiffStats(channels);
        for (int i = 0; i < reference.Length; i++)
        {
            int mine = (int)MathF.Round(image.Pixels[i] * 255f);
            Assert.Equal(image.Pixels[i], mine / 255f);
            stats.Add(i % channels, Math.Abs(mine - reference[i]));
        }

        return stats;
    }

    /// <summary>A PPM with smooth gradients, a sharp-edged block and colour noise, so chroma and edges are exercised.</summary>
    private static byte[] TestPattern(int width, int height)
    {
        var samples = new byte[width * height * 3];
        var rng = new Random(3);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 3;
                bool block = x > width / 3 && x < width / 2 && y > height / 4 && y < height / 2;
                samples[i] = (byte)(block ? 250 : 255 * x / width);
                samples[i + 1] = (byte)(block ? 20 : 255 * y / height);
                samples[i + 2] = (byte)(block ? 40 : 128 + rng.Next(-20, 21));
            }
        }

        return LibJpegTools.ToPnm(width, height, 3, samples);
    }

    /// <summary>Inserts an APP1 Exif segment (big-endian TIFF, IFD0 with one Orientation entry) after SOI.</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] body = [.. "Exif\0\0"u8, .. tiff];
        int length = body.Length + 2;
        return [0xFF, 0xD8, 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. body, .. jpeg[2..]];
    }

    /// <summary>Sum, count and maximum of absolute differences per channel.</summary>
    private sealed class DiffStats(int channels)
    {
        public long[] Sum { get; } = new long[channels];

        public long[] Count { get; } = new long[channels];

        public int[] Max { get; } = new int[channels];

        public static DiffStats Combine(IReadOnlyList<DiffStats> parts)
        {
            var total = new DiffStats(parts[0].Sum.Length);
            foreach (var p in parts)
            {
                for (int c = 0; c < total.Sum.Length; c++)
                {
                    total.Sum[c] += p.Sum[c];
                    total.Count[c] += p.Count[c];
                    total.Max[c] = Math.Max(total.Max[c], p.Max[c]);
                }
            }

            return total;
        }

        public double Mean(int c) => (double)Sum[c] / Count[c];

        public void AssertWithin(double meanBound, int maxBound)
        {
            for (int c = 0; c < Sum.Length; c++)
            {
                Assert.True(Mean(c) <= meanBound, $"channel {c}: mean |diff| {Mean(c):F4} > {meanBound} ({this})");
                Assert.True(Max[c] <= maxBound, $"channel {c}: max |diff| {Max[c]} > {maxBound} ({this})");
            }
        }

        public void Add(int c, int d)
        {
            Sum[c] += d;
            Count[c]++;
            Max[c] = Math.Max(Max[c], d);
        }

        public override string ToString() =>
            string.Join("; ", Enumerable.Range(0, Sum.Length).Select(c => $"c{c} mean {Mean(c):F4} max {Max[c]}"));
    }
}
