using System.Diagnostics;
using System.Globalization;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Runs;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf bench --load DIR</c>: seconds to load a dataset's training split twice through a fresh decoded-image cache
/// (first: decode in parallel and write the cache; second: read the cache), with any dataset key as a flag (--factor 1).
/// </summary>
public static class LoadBenchmark
{
    public static int Run(string dataDir, IReadOnlyList<KeyValuePair<string, string>> flags, CliContext ctx)
    {
        var config = new RunConfig { Data = new DataConfig { DataDir = Path.GetFullPath(dataDir), DatasetType = "auto" } };
        config = RunConfigResolver.ApplyFlags(config, flags);
        using var scratch = new ScratchDirectory("nerf-load-bench");
        string temp = scratch.Path;
        var cache = new DecodedImageCache(temp);
        double first = Time(config, cache, ctx, out DataParserOutput data);
        double second = Time(config, cache, ctx, out _);
        long bytes = Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var img = data.Images[0];
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{data.Count} train images ({img.Width}x{img.Height}, {data.Format}) from {config.Data.DataDir}: first load {first:F2} s (decoded on {Environment.ProcessorCount} threads, cache written), second load {second:F2} s (from the cache, {bytes / (1024.0 * 1024.0):F0} MiB)"));
        return 0;
    }

    private static double Time(RunConfig config, DecodedImageCache cache, CliContext ctx, out DataParserOutput data)
    {
        var watch = Stopwatch.StartNew();
        data = DatasetLoader.Load(config.Data, "train", report: ctx.Error.WriteLine, cache: cache);
        return watch.Elapsed.TotalSeconds;
    }
}
