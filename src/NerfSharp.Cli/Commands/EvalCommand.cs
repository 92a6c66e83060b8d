using System.CommandLine;
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
    /// <summary>The <c>eval</c> command.</summary>
    public static Command Create(CliContext ctx)
    {
        var run = CliOptions.RequiredText("--run", "run folder (its last checkpoint is scored)", "RUN");
        var split = CliOptions.TextWithDefault("--split", "split to score", "val", "val|test|train");
        var json = CliOptions.Flag("--json", "print the summary as one JSON object");
        var maxImages = CliOptions.OptionalInt("--max-images", "score at most this many images (default: all)", "--max_images");
        var output = CliOptions.Text("--out", "folder for the renders and results.json (default: RUN/eval_SPLIT)", "DIR");
        var testSkip = CliOptions.OptionalInt("--testskip", "use every N-th image of the split (default: the run's)");
        var data = CliOptions.Text("--data", "score on another dataset folder's split (the same scene)", "DIR");
        var command = new Command("eval", CommandHelp.Describe(
            "Render a split's views with a trained run and score PSNR/SSIM.",
            ["nerf eval --run runs/lego --split val --json", "nerf eval --run runs/lego --data /other/copy/of/lego --split test --max-images 10"]))
        {
            run, split, json, maxImages, output, testSkip, data,
        };
        command.SetAction(parse => Run(
            parse.GetValue(run)!, parse.GetValue(split)!, parse.GetValue(json), parse.GetValue(maxImages) ?? int.MaxValue,
            parse.GetValue(output), parse.GetValue(testSkip), parse.GetValue(data), ctx));
        return command;
    }

    /// <summary>Scores <paramref name="runDir"/>'s last checkpoint on <paramref name="split"/>.</summary>
    public static int Run(string runDir, string split, bool json, int maxImages, string? output, int? testSkip, string? otherData, CliContext ctx)
    {
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
        using var progress = new ConsoleProgress(ctx, $"eval {split}");
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
