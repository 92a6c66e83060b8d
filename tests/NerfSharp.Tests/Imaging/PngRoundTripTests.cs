using NerfSharp.Imaging;

namespace NerfSharp.Tests.Imaging;

/// <summary>PngEncoder output decodes back to the quantised input: 8-bit (1, 2, 3, 4 channels) and 16-bit.</summary>
public sealed class PngRoundTripTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 17, 5)]
    [InlineData(3, 40, 23)]
    [InlineData(4, 64, 64)]
    [InlineData(3, 1, 9)]
    [InlineData(4, 33, 1)]
    public void EightBitRoundTripIsExact(int channels, int width, int height)
    {
        Image image = RandomImage(new Random(channels * width * height), width, height, channels);
        DecodedPng decoded = PngDecoder.Decode(PngEncoder.Encode(image), "roundtrip.png");
        Assert.Equal((width, height, channels, 8), (decoded.Width, decoded.Height, decoded.Channels, decoded.BitDepth));
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            Assert.Equal((ushort)MathF.Round(Math.Clamp(image.Pixels[i], 0f, 1f) * 255f), decoded.Samples[i]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void SixteenBitRoundTripIsExact(int channels)
    {
        Image image = RandomImage(new Random(100 + channels), 29, 13, channels);
        DecodedPng decoded = PngDecoder.Decode(PngEncoder.Encode16(image), "roundtrip16.png");
        Assert.Equal((29, 13, channels, 16), (decoded.Width, decoded.Height, decoded.Channels, decoded.BitDepth));
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            Assert.Equal((ushort)MathF.Round(Math.Clamp(image.Pixels[i], 0f, 1f) * 65535f), decoded.Samples[i]);
        }
    }

    [Fact]
    public void WriteThenReadImageGivesTheQuantisedImage()
    {
        string dir = Directory.CreateTempSubdirectory("nerfsharp-png-").FullName;
        try
        {
            Image image = RandomImage(new Random(3), 21, 8, 3);
            string path = Path.Combine(dir, "image.png");
            PngEncoder.Write(path, image);
            Image read = PngDecoder.ReadImage(path);
            for (int i = 0; i < image.Pixels.Length; i++)
            {
                Assert.Equal(MathF.Round(Math.Clamp(image.Pixels[i], 0f, 1f) * 255f) / 255f, read.Pixels[i]);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Uniform values in [-0.1, 1.1] (so clamping is exercised), plus NaN-free extremes at the corners.</summary>
    private static Image RandomImage(Random rng, int width, int height, int channels)
    {
        var image = new Image(width, height, channels);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (float)((rng.NextDouble() * 1.2) - 0.1);
        }

        image.Pixels[0] = 0f;
        image.Pixels[^1] = 1f;
        return image;
    }
}
