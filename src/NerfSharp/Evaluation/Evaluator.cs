using System.Diagnostics;
using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Models;

namespace NerfSharp.Evaluation;

/// <summary>
/// Renders every view of a split, scores it against the ground truth (PSNR, SSIM) and writes
/// rgb / disparity / accumulation PNGs (and the ground truth) to an output folder.
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
            Image truth = split.Images[i];
            double psnr = ImageMetrics.Psnr(r.Rgb, truth);
            double ssim = ImageMetrics.Ssim(r.Rgb, truth);
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
}
