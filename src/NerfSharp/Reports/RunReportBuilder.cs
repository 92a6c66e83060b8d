using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Imaging;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Training;

namespace NerfSharp.Reports;

/// <summary>
/// Gathers a <see cref="RunReport"/> for a trained model: reads metrics.jsonl (curves, timings, throughput, peak
/// memory), renders a few views of the validation split (val, else test, else train) and scores them, collects the
/// held-out PSNR of the run's testset_STEP folders (from their 8-bit PNGs), and reads config.json.
/// </summary>
public static partial class RunReportBuilder
{
    /// <summary>The report of a run folder's latest checkpoint.</summary>
    public static RunReport Build(TrainedRun run, ReportOptions options, Action<string>? log = null, CancellationToken cancel = default) =>
        Build(run.Folder, run.Config, run.Model, run.Step, run.CheckpointPath, options, log, cancel);

    /// <summary>
    /// The report of a model in memory (as training leaves it) that belongs to <paramref name="folder"/>. When
    /// <paramref name="cancel"/> fires, the views not yet rendered are left out and the report is still complete otherwise.
    /// </summary>
    public static RunReport Build(RunFolder folder, RunConfig config, IRadianceModel model, long step, string checkpointPath, ReportOptions options, Action<string>? log = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Views);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxImageSide);
        IReadOnlyList<MetricsRecord> metrics = MetricsFile.Read(folder.MetricsPath);
        double trainSeconds = metrics.Count > 0 ? metrics[^1].ElapsedSeconds : double.NaN;
        ReportValidation validation = RenderValidation(config, model, options, log, cancel);

        var points = new List<ValidationPoint>(TestsetPoints(folder.Path, metrics));
        if (validation.Views.Count > 0)
        {
            points.Add(new ValidationPoint(step, SecondsAt(metrics, step), validation.MeanPsnr, $"{validation.Split}, {validation.Views.Count} views (report)"));
        }

        string configJson = File.Exists(folder.ConfigPath) ? File.ReadAllText(folder.ConfigPath) : RunConfigJson.Serialize(config);
        long? peak = metrics.Select(m => m.PeakRssBytes).Where(v => v.HasValue).Max();
        return new RunReport(
            folder.Path,
            DateTime.UtcNow,
            config.Model,
            model.Parameters.Count,
            step,
            checkpointPath,
            Plots(metrics, points),
            points,
            validation,
            Timings(metrics, step, trainSeconds),
            peak,
            MachineInfo.Current(),
            configJson);
    }

    /// <summary>Loss (log scale) and PSNR, each against step and against training seconds.</summary>
    private static IReadOnlyList<LinePlot> Plots(IReadOnlyList<MetricsRecord> metrics, IReadOnlyList<ValidationPoint> points)
    {
        var plots = new List<LinePlot>();
        foreach (bool time in new[] { false, true })
        {
            string xLabel = time ? "training time (s)" : "step";
            double X(MetricsRecord m) => time ? m.ElapsedSeconds : m.Step;
            var lossSeries = new List<PlotSeries> { new("train loss", metrics.Select(m => new PlotPoint(X(m), m.Loss)).ToList()) };
            if (metrics.Any(m => double.IsFinite(m.MseCoarse)))
            {
                lossSeries.Add(new PlotSeries("coarse MSE", metrics.Select(m => new PlotPoint(X(m), m.MseCoarse)).ToList()));
            }

            var psnrSeries = new List<PlotSeries> { new("train PSNR (batch)", metrics.Select(m => new PlotPoint(X(m), m.Psnr)).ToList()) };
            foreach (var group in points.GroupBy(p => p.Source))
            {
                psnrSeries.Add(new PlotSeries(group.Key, group.Select(p => new PlotPoint(time ? p.Seconds : p.Step, p.Psnr)).ToList(), PlotSeriesStyle.Markers));
            }

            plots.Add(new LinePlot($"Loss against {(time ? "time" : "step")}", xLabel, "loss (MSE)", lossSeries, AxisScale.Log));
            plots.Add(new LinePlot($"PSNR against {(time ? "time" : "step")}", xLabel, "PSNR (dB)", psnrSeries));
        }

        return plots;
    }

    private static ReportTimings Timings(IReadOnlyList<MetricsRecord> metrics, long step, double trainSeconds)
    {
        double stepsPerSecond = trainSeconds > 0 ? step / trainSeconds : double.NaN;
        var withRays = metrics.Where(m => m.Rays.HasValue).ToList();
        double? raysPerStep = withRays.Count > 0 ? withRays.Average(m => (double)m.Rays!.Value) : null;
        var withSamples = metrics.Where(m => m.Rays.HasValue && m.SamplesPerRay.HasValue).ToList();
        double? samplesPerStep = withSamples.Count > 0 ? withSamples.Average(m => m.Rays!.Value * m.SamplesPerRay!.Value) : null;
        double? samplesPerRay = withSamples.Count > 0 ? withSamples.Average(m => m.SamplesPerRay!.Value) : null;
        double? peakSamples = metrics.Where(m => m.SamplesPerSecond.HasValue).Select(m => m.SamplesPerSecond).Max();
        bool rate = double.IsFinite(stepsPerSecond);
        return new ReportTimings(
            trainSeconds,
            step,
            stepsPerSecond,
            raysPerStep,
            rate && raysPerStep.HasValue ? raysPerStep * stepsPerSecond : null,
            samplesPerRay,
            rate && samplesPerStep.HasValue ? samplesPerStep * stepsPerSecond : null,
            peakSamples);
    }

    /// <summary>Renders and scores up to options.Views views, evenly spread over the split; a reason instead when it cannot.</summary>
    private static ReportValidation RenderValidation(RunConfig config, IRadianceModel model, ReportOptions options, Action<string>? log, CancellationToken cancel)
    {
        string split = "val";
        try
        {
            var splits = DatasetLoader.AvailableSplits(config.Data);
            split = splits.Contains("val") ? "val" : splits.Contains("test") ? "test" : "train";
            if (options.Views == 0)
            {
                return ReportValidation.Missing(split, "no views asked for (--views 0)");
            }

            DataParserOutput data = DatasetLoader.Load(config.Data, split);
            var renderer = new ImageRenderer(model, config.Trainer.Chunk, data.Background.ToRgb());
            int count = Math.Min(options.Views, data.Count);
            var rendered = new List<(int Index, RenderedImage Image, Image Truth, float[] Error, double Seconds)>();
            for (int k = 0; k < count && !cancel.IsCancellationRequested; k++)
            {
                int index = (int)((long)k * data.Count / count);
                var watch = Stopwatch.StartNew();
                RenderedImage image = renderer.RenderView(data, index);
                Image truth = data.Images[index];
                rendered.Add((index, image, truth, DiagnosticMaps.AbsoluteError(image.Rgb, truth), watch.Elapsed.TotalSeconds));
                log?.Invoke($"report: rendered {split} view {index} ({k + 1}/{count})");
            }

            if (rendered.Count == 0)
            {
                return ReportValidation.Missing(split, "rendering was stopped (Ctrl+C)");
            }

            // One error scale for every view (the 99th percentile of all their errors), so the maps compare.
            float scale = Math.Max(1f / 255, DiagnosticMaps.Quantile(rendered.SelectMany(r => r.Error), 0.99));
            var views = new List<ReportView>();
            foreach (var (index, image, truth, error, seconds) in rendered)
            {
                int w = image.Rgb.Width, h = image.Rgb.Height;
                int factor = (int)Math.Ceiling(Math.Max(w, h) / (double)options.MaxImageSide);
                var (depth, near, far) = DiagnosticMaps.DepthImage(image);
                Image errorImage = DiagnosticMaps.ErrorImage(error, w, h, scale);
                double ssim = w >= 11 && h >= 11 ? ImageMetrics.Ssim(image.Rgb, truth) : double.NaN;
                views.Add(new ReportView(
                    index,
                    ViewName(data, index),
                    ImageMetrics.Psnr(image.Rgb, truth),
                    ssim,
                    seconds,
                    w / factor,
                    h / factor,
                    Png(ImageOps.ToRgb(truth), factor),
                    Png(image.Rgb, factor),
                    Png(errorImage, factor),
                    Png(depth, factor),
                    near,
                    far));
            }

            return new ReportValidation(split, data.Count, views, views.Average(v => v.Psnr), views.Average(v => v.Ssim), scale);
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            log?.Invoke($"report: no validation views: {e.Message}");
            return ReportValidation.Missing(split, e.Message);
        }
    }

    private static string ViewName(DataParserOutput data, int index) =>
        data.SourceIndices is { } source && index < source.Count ? $"view {index} (source image {source[index]})" : $"view {index}";

    private static byte[] Png(Image image, int factor) => PngEncoder.Encode(factor > 1 ? ImageOps.DownsampleArea(image, factor) : image);

    /// <summary>
    /// The held-out PSNR of each testset_STEP folder (written during training with --i_testset): the mean over its
    /// NNN_rgb.png / NNN_gt.png pairs, at the training seconds that metrics.jsonl gives for that step.
    /// </summary>
    private static IEnumerable<ValidationPoint> TestsetPoints(string runPath, IReadOnlyList<MetricsRecord> metrics)
    {
        if (!Directory.Exists(runPath))
        {
            yield break;
        }

        foreach (string dir in Directory.GetDirectories(runPath, "testset_*").Order(StringComparer.Ordinal))
        {
            Match m = TestsetFolder().Match(Path.GetFileName(dir));
            if (!m.Success)
            {
                continue;
            }

            long step = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var psnrs = new List<double>();
            foreach (string rgb in Directory.GetFiles(dir, "*_rgb.png").Order(StringComparer.Ordinal))
            {
                string gt = rgb[..^"_rgb.png".Length] + "_gt.png";
                if (File.Exists(gt))
                {
                    try
                    {
                        psnrs.Add(ImageMetrics.Psnr(ImageOps.ToRgb(PngDecoder.ReadImage(rgb)), ImageOps.ToRgb(PngDecoder.ReadImage(gt))));
                    }
                    catch (Exception e) when (e is DataFormatException or IOException or ArgumentException)
                    {
                        // a render cut short; the folder's other views still count
                    }
                }
            }

            if (psnrs.Count > 0)
            {
                yield return new ValidationPoint(step, SecondsAt(metrics, step), psnrs.Average(), "held-out set during training (8-bit PNGs)");
            }
        }
    }

    /// <summary>Training seconds at a step, interpolated between the logged steps around it (NaN without a log).</summary>
    private static double SecondsAt(IReadOnlyList<MetricsRecord> metrics, long step)
    {
        if (metrics.Count == 0)
        {
            return double.NaN;
        }

        MetricsRecord? before = null;
        foreach (MetricsRecord m in metrics)
        {
            if (m.Step == step)
            {
                return m.ElapsedSeconds;
            }

            if (m.Step > step)
            {
                return before is null ? m.ElapsedSeconds : before.ElapsedSeconds + ((m.ElapsedSeconds - before.ElapsedSeconds) * (step - before.Step) / (m.Step - before.Step));
            }

            before = m;
        }

        return metrics[^1].ElapsedSeconds;
    }

    [GeneratedRegex(@"^testset_(\d+)$")]
    private static partial Regex TestsetFolder();
}
