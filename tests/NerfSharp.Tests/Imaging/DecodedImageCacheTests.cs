using NerfSharp.Imaging;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Imaging;

/// <summary>
/// The decoded-image cache returns exactly what decoding returns, decodes each (file content, transform) once, and
/// never turns a changed file, a damaged entry or an unwritable folder into a wrong image.
/// </summary>
public sealed class DecodedImageCacheTests
{
    private static Image Noise(int seed, bool bytes)
    {
        var rng = new Random(seed);
        var image = new Image(9, 7, 3);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = bytes ? rng.Next(256) / 255f : (float)rng.NextDouble();
        }

        return image;
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 4)]
    public void DecodesOnceAndReturnsTheSameBits(bool bytes, int bytesPerSample)
    {
        using var dir = new TempDirectory("nerf-cache");
        string source = dir.Combine("a.png");
        File.WriteAllBytes(source, [1, 2, 3]);
        var cache = new DecodedImageCache(dir.Combine("cache"));
        int decodes = 0;
        Image expected = Noise(1, bytes);
        Image Decode()
        {
            decodes++;
            return expected;
        }

        Assert.Same(expected, cache.GetOrAdd(source, "t", Decode));
        Image cached = cache.GetOrAdd(source, "t", Decode);
        Assert.Equal(1, decodes);
        Assert.NotSame(expected, cached);
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (cached.Width, cached.Height, cached.Channels));
        Assert.Equal(expected.Pixels.Select(BitConverter.SingleToInt32Bits), cached.Pixels.Select(BitConverter.SingleToInt32Bits));
        string entry = Assert.Single(Directory.EnumerateFiles(cache.Directory, "*.img", SearchOption.AllDirectories));
        Assert.Equal(24 + (9 * 7 * 3 * bytesPerSample), new FileInfo(entry).Length);

        // Another transform, or the same name with other content, is decoded afresh.
        cache.GetOrAdd(source, "other", Decode);
        Assert.Equal(2, decodes);
        File.WriteAllBytes(source, [1, 2, 4]);
        cache.GetOrAdd(source, "t", Decode);
        Assert.Equal(3, decodes);
    }

    [Fact]
    public void ADamagedEntryIsDecodedAgain()
    {
        using var dir = new TempDirectory("nerf-cache");
        string source = dir.Combine("a.png");
        File.WriteAllBytes(source, [7]);
        var cache = new DecodedImageCache(dir.Combine("cache"));
        Image expected = Noise(2, bytes: false);
        cache.GetOrAdd(source, "t", () => expected);
        string entry = Assert.Single(Directory.EnumerateFiles(cache.Directory, "*.img", SearchOption.AllDirectories));
        foreach (byte[] damaged in new[] { File.ReadAllBytes(entry)[..40], [], File.ReadAllBytes(entry).Select((b, i) => i == 0 ? (byte)(b ^ 1) : b).ToArray() })
        {
            File.WriteAllBytes(entry, damaged);
            int decodes = 0;
            Image again = cache.GetOrAdd(source, "t", () =>
            {
                decodes++;
                return expected;
            });
            Assert.Equal(1, decodes);
            Assert.Same(expected, again);
        }
    }

    [Fact]
    public void AnUnwritableCacheOnlyCostsADecode()
    {
        using var dir = new TempDirectory("nerf-cache");
        string source = dir.Combine("a.png");
        File.WriteAllBytes(source, [7]);
        File.WriteAllText(dir.Combine("blocked"), "a file where the cache folder should be");
        var cache = new DecodedImageCache(dir.Combine("blocked"));
        Image expected = Noise(3, bytes: true);
        Assert.Same(expected, cache.GetOrAdd(source, "t", () => expected));
        Assert.Same(expected, cache.GetOrAdd(source, "t", () => expected));
    }

    [Fact]
    public void ReadAllThroughTheCacheEqualsDecoding()
    {
        using var dir = new TempDirectory("nerf-cache");
        var paths = new List<string>();
        for (int k = 0; k < 4; k++)
        {
            paths.Add(dir.Combine($"{k}.png"));
            PngEncoder.Write(paths[^1], Noise(10 + k, bytes: true));
        }

        Image Half(Image i) => ImageOps.DownsampleArea(i, 2);
        Image[] plain = ImageFile.ReadAll(paths, Half);
        var cache = new DecodedImageCache(dir.Combine("cache"));
        Image[] first = ImageFile.ReadAll(paths, Half, cache: cache, transformKey: "half");
        Image[] second = ImageFile.ReadAll(paths, Half, cache: cache, transformKey: "half");
        Assert.Equal(4, Directory.EnumerateFiles(cache.Directory, "*.img", SearchOption.AllDirectories).Count());
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(plain[k].Pixels, first[k].Pixels);
            Assert.Equal(plain[k].Pixels, second[k].Pixels);
        }
    }
}
