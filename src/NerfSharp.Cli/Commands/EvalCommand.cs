using System.Text.Json;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.IO;
using NerfSharp.Runs;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf eval --run DIR --split val [--json] [--data OTHER]</c>: renders the split's views, scores PSNR/SSIM,
/// writes the renders and results.json to DIR/eval_SPLIT (or --out). <c>--data</c> scores the run on another dataset
/// folder's split (the same scene, e.g. a copy that has the test images).
/// </summary>
public static class EvalCommand
{
    public static int Run(CliArguments args, CliContext ctx)
    {
        string runDir = args.Take("run") ?? throw new ArgumentException("nerf eval needs --run DIR");
        string split = args.Take("split") ?? "val";
        bool json = args.Flag("json");
        int maxImages = args.Int("max-images") ?? int.MaxValue;
        string? output = args.Take("out");
        int? testSkip = args.Int("testskip");
        string? otherData = args.Take("data");
        args.EnsureAllUsed("eval");
        if (maxImages < 1)
        {
            throw new ArgumentException($"--max-images expects at least 1, got {maxImages}");
        }

        TrainedRun run = TrainedRun.Open(runDir);
        var dataConfig = testSkip.HasValue ? run.Config.Data with { TestSkip = testSkip.Value } : run.Config.Data;
        if (otherData != null)
        {
            dataConfig = dataConfig with { DataDir = Path.GetFullPath(otherData) };
        }

        DataParserOutput data = DatasetLoader.Load(dataConfig, split);
        string outDir = output ?? Path.Combine(run.Folder.Path, $"eval_{split}");
        var progress = new ConsoleProgress(ctx.Error, $"eval {split}", ctx.Interactive);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        EvaluationResult result = Evaluator.Evaluate(
            run.Model, data, run.Config.Trainer.Chunk, outDir, maxImages, new Reporter(p => progress.Report(p.Done, p.Total, watch.Elapsed.TotalSeconds, p.Done)));
        progress.Finish();
        string summary = ToJson(result, perImage: false);
        AtomicFile.WriteAllText(Path.Combine(outDir, "results.json"), ToJson(result, perImage: true));
        if (json)
        {
            ctx.Out.WriteLine(summary);
        }
        else
        {
            ctx.Out.WriteLine($"{split}: PSNR {result.Psnr:F2} dB, SSIM {result.Ssim:F4} over {result.Images} images ({result.SecondsPerImage:F2} s/image), step {run.Step}; renders in {outDir}");
        }

        return 0;
    }

    /// <summary>{"psnr":..,"ssim":..,"images":..,"seconds_per_image":..} (+ "per_image" when asked).</summary>
    public static string ToJson(EvaluationResult r, bool perImage)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = perImage }))
        {
            w.WriteStartObject();
            Number(w, "psnr", r.Psnr);
            Number(w, "ssim", r.Ssim);
            w.WriteNumber("images", r.Images);
            Number(w, "seconds_per_image", r.SecondsPerImage);
            if (perImage)
            {
                w.WriteStartArray("per_image");
                foreach (var s in r.PerImage)
                {
                    w.WriteStartObject();
                    w.WriteString("name", s.Name);
                    Number(w, "psnr", s.Psnr);
                    Number(w, "ssim", s.Ssim);
                    Number(w, "seconds", s.Seconds);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, 6));
        }
        else
        {
            w.WriteNull(name);
        }

    }

    private sealed class Reporter(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
