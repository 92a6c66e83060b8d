using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Imaging;

/// <summary>
/// MSE/PSNR on hand-derivable cases; SSIM against values computed once with a numpy/scipy transcription of
/// mip-NeRF's compute_ssim (scipy.signal.convolve2d 'valid', float64), hard-coded here.
/// </summary>
public sealed class ImageMetricsTests
{
    [Fact]
    public void PsnrOfAKnownMse()
    {
        // Every colour sample differs by 0.25: MSE = 1/16, PSNR = 10 log10(16) dB. Alpha is ignored.
        var a = new Image(7, 5, 4);
        var b = new Image(7, 5, 4);
        for (int p = 0; p < 35; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                a.Pixels[(4 * p) + c] = 0.5f;
                b.Pixels[(4 * p) + c] = p % 2 == 0 ? 0.75f : 0.25f;
            }

            a.Pixels[(4 * p) + 3] = 1f;
            b.Pixels[(4 * p) + 3] = 0f;
        }

        Assert.Equal(0.0625, ImageMetrics.Mse(a, b), 15);
        Assert.Equal(10 * Math.Log10(16), ImageMetrics.Psnr(a, b), 12);
        Assert.Equal(double.PositiveInfinity, ImageMetrics.Psnr(a, a));
    }

    [Fact]
    public void MseAveragesOverPixelsAndChannels()
    {
        var a = new Image(2, 1, 3, [0f, 0f, 0f, 0f, 0f, 0f]);
        var b = new Image(2, 1, 3, [1f, 0f, 0f, 0f, 0.5f, 0f]);
        Assert.Equal((1.0 + 0.25) / 6, ImageMetrics.Mse(a, b), 15);
    }

    [Fact]
    public void SsimOfIdenticalImagesIsOne()
    {
        var rng = new Random(1);
        var a = new Image(24, 19, 3);
        for (int i = 0; i < a.Pixels.Length; i++)
        {
            a.Pixels[i] = rng.NextSingle();
        }

        Assert.Equal(1.0, ImageMetrics.Ssim(a, a), 12);
    }

    [Fact]
    public void SsimMatchesTheReferenceOnAPattern()
    {
        // a = ((7x + 13y + 5c) mod 17) / 16, b = (3 ((7x + 13y + 5c) mod 17) + (x^2 + 3y + 11c) mod 5) / 64, 32x24 RGB.
        var a = new Image(32, 24, 3);
        var b = new Image(32, 24, 3);
        for (int y = 0; y < 24; y++)
        {
            for (int x = 0; x < 32; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    int k = ((x * 7) + (y * 13) + (c * 5)) % 17;
                    a[x, y, c] = k / 16f;
                    b[x, y, c] = ((k * 3) + (((x * x) + (3 * y) + (11 * c)) % 5)) / 64f;
                }
            }
        }

        Assert.Equal(0.93709716257099251, ImageMetrics.Ssim(a, b), 12);
        Assert.Equal(0.93709716257099251, ImageMetrics.Ssim(b, a), 12);
        Assert.Equal(0.015133963690863715, ImageMetrics.Mse(a, b), 15);
    }

    [Fact]
    public void SsimAndPsnrMatchTheReferenceOnLegoViews()
    {
        // lego_400 val r_0 against r_8, both over white (rgb * a + (1 - a) in float32).
        string root = SharedData.Data("nerf_synthetic", "lego_400");
        Image first = ImageOps.CompositeOver(PngDecoder.ReadImage(Path.Combine(root, "val", "r_0.png")), 1f, 1f, 1f);
        Image second = ImageOps.CompositeOver(PngDecoder.ReadImage(Path.Combine(root, "val", "r_8.png")), 1f, 1f, 1f);
        Assert.Equal(0.62975573480269476, ImageMetrics.Ssim(first, second), 10);
        Assert.Equal(12.089906287877346, ImageMetrics.Psnr(first, second), 10);
    }

    [Fact]
    public void MismatchedOrTooSmallImagesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ImageMetrics.Mse(new Image(4, 4, 3), new Image(4, 5, 3)));
        Assert.Throws<ArgumentException>(() => ImageMetrics.Psnr(new Image(4, 4, 3), new Image(4, 4, 4)));
        Assert.Throws<ArgumentException>(() => ImageMetrics.Ssim(new Image(12, 12, 3), new Image(12, 13, 3)));
        Assert.Throws<ArgumentException>(() => ImageMetrics.Ssim(new Image(10, 40, 3), new Image(10, 40, 3)));
    }
}
