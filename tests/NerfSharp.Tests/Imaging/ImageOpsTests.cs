using NerfSharp.Imaging;

namespace NerfSharp.Tests.Imaging;

public sealed class ImageOpsTests
{
    [Fact]
    public void CompositeOverBlendsWithAlpha()
    {
        var rgba = new Image(2, 1, 4, [0.5f, 0.2f, 1f, 0.25f, 0.9f, 0.8f, 0.7f, 1f]);
        Image white = ImageOps.CompositeOver(rgba, 1f, 1f, 1f);
        Assert.Equal(3, white.Channels);
        Assert.Equal([(0.5f * 0.25f) + 0.75f, (0.2f * 0.25f) + 0.75f, (1f * 0.25f) + 0.75f, 0.9f, 0.8f, 0.7f], white.Pixels);

        Image black = ImageOps.CompositeOver(rgba, 0f, 0f, 0f);
        Assert.Equal([0.5f * 0.25f, 0.2f * 0.25f, 0.25f, 0.9f, 0.8f, 0.7f], black.Pixels);

        var grayAlpha = new Image(1, 1, 2, [0.4f, 0.5f]);
        Assert.Equal([(0.4f * 0.5f) + (0.2f * 0.5f), (0.4f * 0.5f) + (0.6f * 0.5f), 0.4f * 0.5f], ImageOps.CompositeOver(grayAlpha, 0.2f, 0.6f, 0f).Pixels);

        var rgb = new Image(1, 1, 3, [0.1f, 0.2f, 0.3f]);
        Assert.Equal(rgb.Pixels, ImageOps.CompositeOver(rgb, 1f, 1f, 1f).Pixels);
    }

    [Fact]
    public void ToRgbReplicatesGrayAndDropsAlpha()
    {
        Assert.Equal([0.3f, 0.3f, 0.3f, 0.6f, 0.6f, 0.6f], ImageOps.ToRgb(new Image(2, 1, 1, [0.3f, 0.6f])).Pixels);
        Assert.Equal([0.3f, 0.3f, 0.3f], ImageOps.ToRgb(new Image(1, 1, 2, [0.3f, 0.9f])).Pixels);
        Assert.Equal([0.1f, 0.2f, 0.3f], ImageOps.ToRgb(new Image(1, 1, 4, [0.1f, 0.2f, 0.3f, 0.4f])).Pixels);
    }

    [Fact]
    public void DownsampleAreaAveragesBoxes()
    {
        // 4x2 gray -> 2x1: the mean of each 2x2 box.
        var image = new Image(4, 2, 1, [0f, 1f, 0.5f, 0.25f, 0.5f, 0.5f, 1f, 0.75f]);
        Image half = ImageOps.DownsampleArea(image, 2);
        Assert.Equal((2, 1), (half.Width, half.Height));
        Assert.Equal([0.5f, 0.625f], half.Pixels);

        // Odd size, 5 -> 2 (scale 2.5): output 0 covers source 0, 1 and half of 2; output 1 the other half of 2, then 3, 4.
        var row = new Image(5, 1, 1, [1f, 2f, 3f, 4f, 5f]);
        var tall = new Image(5, 2, 1, [1f, 2f, 3f, 4f, 5f, 1f, 2f, 3f, 4f, 5f]);
        Assert.Throws<ArgumentException>(() => ImageOps.DownsampleArea(row, 2));
        Image odd = ImageOps.DownsampleArea(tall, 2);
        Assert.Equal((2, 1), (odd.Width, odd.Height));
        Assert.Equal((1 + 2 + (0.5 * 3)) / 2.5, odd.Pixels[0], 6);
        Assert.Equal(((0.5 * 3) + 4 + 5) / 2.5, odd.Pixels[1], 6);
    }

    [Fact]
    public void DownsampleAreaKeepsConstantImagesAndChannels()
    {
        var image = new Image(9, 6, 4);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (i % 4) * 0.25f;
        }

        Image third = ImageOps.DownsampleArea(image, 3);
        Assert.Equal((3, 2, 4), (third.Width, third.Height, third.Channels));
        for (int i = 0; i < third.Pixels.Length; i++)
        {
            Assert.Equal((i % 4) * 0.25f, third.Pixels[i], 6);
        }
    }

    [Fact]
    public void FromScalarMapNormalisesClampsAndZeroesNaN()
    {
        Image map = ImageOps.FromScalarMap([2f, 3f, 4f, float.NaN, -1f, 9f], 3, 2, 2f, 4f);
        Assert.Equal((3, 2, 3), (map.Width, map.Height, map.Channels));
        float[] expected = [0f, 0.5f, 1f, 0f, 0f, 1f];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal([expected[i], expected[i], expected[i]], map.Pixels.AsSpan(3 * i, 3).ToArray());
        }

        Assert.All(ImageOps.FromScalarMap([5f, 5f], 2, 1, 5f, 5f).Pixels, v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => ImageOps.FromScalarMap([1f], 1, 1, 2f, 1f));
        Assert.Throws<ArgumentException>(() => ImageOps.FromScalarMap([1f, 2f], 1, 1, 0f, 1f));
    }
}
