using System.Text.Json;
using NerfSharp.Imaging;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// Recomputes an eval's scores from the renders and ground truths it saved, so a wrong or made-up PSNR/SSIM
/// (say, SSIM of the image with itself, or of the wrong pair) fails.
/// </summary>
public static class EvalScores
{
    public static void AssertMatchSavedRenders(string evalDir, double psnr, double ssim)
    {
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "results.json"))).RootElement;
        var perImage = results.GetProperty("per_image").EnumerateArray().ToArray();
        Assert.NotEmpty(perImage);
        double sumPsnr = 0, sumSsim = 0;
        foreach (var entry in perImage)
        {
            string name = entry.GetProperty("name").GetString()!;
            Image rendered = PngDecoder.ReadImage(Path.Combine(evalDir, $"{name}_rgb.png"));
            Image truth = PngDecoder.ReadImage(Path.Combine(evalDir, $"{name}_gt.png"));

            // The saved renders are 8-bit, the scores were taken in float: allow for the rounding only.
            double p = ImageMetrics.Psnr(rendered, truth);
            double s = ImageMetrics.Ssim(rendered, truth);
            Assert.True(Math.Abs(p - entry.GetProperty("psnr").GetDouble()) < 0.1, $"{name}: PSNR of the saved render {p} vs reported {entry.GetProperty("psnr").GetDouble()}");
            Assert.True(Math.Abs(s - entry.GetProperty("ssim").GetDouble()) < 0.01, $"{name}: SSIM of the saved render {s} vs reported {entry.GetProperty("ssim").GetDouble()}");
            Assert.InRange(s, -1, 0.999); // a barely trained model does not reproduce the view
            sumPsnr += entry.GetProperty("psnr").GetDouble();
            sumSsim += entry.GetProperty("ssim").GetDouble();
        }

        Assert.Equal(sumPsnr / perImage.Length, psnr, 4);
        Assert.Equal(sumSsim / perImage.Length, ssim, 4);
    }
}
