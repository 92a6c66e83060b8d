using System.Diagnostics;
using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Models;

namespace NerfSharp.Evaluation;

/// <summary>
/// Renders every view of a split, scores it against the ground truth (PSNR, SSIM) and writes
/// rgb / disparity / accumulation PNGs (and the ground truth) to an output folder. Pixels a view's mask ignores
/// (<see cref="DataParserOutput.Masks"/>) are not scored.
/// </summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(
        IRadianceModel model,
        DataParserOutput split,
        int chunk,
        string? outputDir,
        int maxImages = int.MaxValue,
        IProgress<(int Done, int Total)>? progress = null)
    {
        var renderer = new ImageRenderer(model, chunk, split.Background.ToRgb());
        int total = Math.Min(maxImages, split.Count);
        var scores = new List<ImageScore>(total);
        if (outputDir != null)
        {
            Directory.CreateDirectory(outputDir);
        }

        for (int i = 0; i < total; i++)
        {
            var watch = Stopwatch.StartNew();
            RenderedImage r = renderer.RenderView(split, i);
            double seconds = watch.Elapsed.TotalSeconds;
            Image truth = split.Images[i].ToFloat();
            var (psnr, ssim) = Score(r.Rgb, truth, split.Masks?[i]);
            string name = $"{i:D3}";
            scores.Add(new ImageScore(name, psnr, ssim, seconds));
            if (outputDir != null)
            {
                PngEncoder.Write(Path.Combine(outputDir, $"{name}_rgb.png"), r.Rgb);
                PngEncoder.Write(Path.Combine(outputDir, $"{name}_gt.png"), truth);
                PngEncoder.Write(Path.Combine(outputDir, $"{name}_disp.png"), r.DisparityImage());
                PngEncoder.Write(Path.Combine(outputDir, $"{name}_acc.png"), r.AccumulationImage());
            }

            progress?.Report((i + 1, total));
        }

        double meanPsnr = scores.Count > 0 ? scores.Average(s => s.Psnr) : double.NaN;
        double meanSsim = scores.Count > 0 ? scores.Average(s => s.Ssim) : double.NaN;
        double spi = scores.Count > 0 ? scores.Average(s => s.Seconds) : 0;
        return new EvaluationResult(meanPsnr, meanSsim, scores.Count, spi, scores);
    }

    /// <summary>
    /// PSNR and SSIM of <paramref name="rendered"/> against <paramref name="truth"/>; with a mask, the ignored pixels are
    /// given their true values first (so they add no error to SSIM's windows) and the PSNR's mean is over kept pixels only.
    /// </summary>
    internal static (double Psnr, double Ssim) Score(Image rendered, Image truth, PixelMask? mask)
    {
        if (mask is null)
        {
            return (ImageMetrics.Psnr(rendered, truth), ImageMetrics.Ssim(rendered, truth));
        }

        var filled = new Image(rendered.Width, rendered.Height, rendered.Channels, (float[])rendered.Pixels.Clone());
        Span<float> t = stackalloc float[4];
        for (int y = 0; y < filled.Height; y++)
        {
            for (int x = 0; x < filled.Width; x++)
            {
                if (!mask.Keeps(x, y))
                {
                    truth.ReadPixel(x, y, t);
                    t[..filled.Channels].CopyTo(filled.Pixels.AsSpan(((y * filled.Width) + x) * filled.Channels));
                }
            }
        }

        // Ignored pixels now add zero error: the kept pixels' mean is the whole image's times pixels / kept.
        double psnr = ImageMetrics.Psnr(filled, truth) - (10.0 * Math.Log10((double)mask.Width * mask.Height / mask.KeptCount));
        return (psnr, ImageMetrics.Ssim(filled, truth));
    }
}
