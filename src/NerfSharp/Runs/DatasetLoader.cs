using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Imaging;

namespace NerfSharp.Runs;

/// <summary>
/// Loads a split of the dataset a run config names, dispatching on dataset_type (blender, llff, instant_ngp/nerfstudio,
/// colmap, auto). When the type is "auto", or "blender" (the default) on a folder that is not a Blender scene, the format is
/// detected by <see cref="DatasetFormatDetector"/> and a sentence saying which it chose is reported.
/// </summary>
public static class DatasetLoader
{
    public static readonly IReadOnlyList<string> DatasetTypes = ["blender", "llff", "instant_ngp", "nerfstudio", "colmap", "auto"];

    /// <summary>
    /// Loads <paramref name="split"/>; <paramref name="report"/> receives the detection message (default: standard error).
    /// <paramref name="maxImageBytes"/> (0 = no limit) bounds the decoded images of a Blender scene (8-bit storage when floats would not fit).
    /// Decoded images are kept in <paramref name="cache"/> (default: <see cref="DecodedImageCache.FromEnvironment"/>).
    /// </summary>
    public static DataParserOutput Load(DataConfig data, string split, Action<string>? report = null, long maxImageBytes = 0, DecodedImageCache? cache = null)
    {
        var (format, reason) = Resolve(data);
        if (reason is not null)
        {
            (report ?? Console.Error.WriteLine)(reason);
        }

        var background = data.WhiteBackground ? BackgroundColor.White : BackgroundColor.Black;
        int factor = Math.Max(1, data.Factor);
        cache ??= DecodedImageCache.FromEnvironment();
        var capture = new CaptureOptions(split, Downscale: factor, HoldEvery: data.LlffHold, Background: background, Cache: cache);
        return format switch
        {
            DatasetFormat.Blender => BlenderParser.Load(data.DataDir, split, new BlenderOptions(data.HalfRes, split == "train" ? 1 : Math.Max(1, data.TestSkip), background, KeepAlpha: split == "train" && data.RandomBackground, MaxImageBytes: maxImageBytes, Cache: cache, PixelCenter: data.PixelCenters ? PixelCenter.Center : PixelCenter.Corner)),
            DatasetFormat.TransformsJson => TransformsJsonParser.Load(data.DataDir, capture),
            DatasetFormat.Colmap => ColmapParser.Load(data.DataDir, new ColmapOptions(capture)),
            _ => LlffParser.Load(data.DataDir, new LlffOptions(data.Factor, data.LlffHold, data.Spherify, data.NoNdc, Split: split, Cache: cache)),
        };
    }

    /// <summary>The format to read and, when it was detected rather than named, the sentence saying so.</summary>
    public static (DatasetFormat Format, string? Reason) Resolve(DataConfig data)
    {
        if (string.IsNullOrEmpty(data.DataDir))
        {
            throw new ArgumentException("no dataset given: pass --data DIR (or datadir in a config file)");
        }

        if (!Directory.Exists(data.DataDir))
        {
            throw new DataFormatException(data.DataDir, "dataset folder does not exist");
        }

        DatasetFormat? named = DatasetFormatDetector.FromKey(data.DatasetType);
        if (named == DatasetFormat.Blender && BlenderParser.AvailableSplits(data.DataDir).Count > 0)
        {
            return (DatasetFormat.Blender, null);
        }

        if (named is not null and not DatasetFormat.Blender)
        {
            return (named.Value, null);
        }

        DetectedFormat detected = DatasetFormatDetector.Detect(data.DataDir);
        string downscale = detected.Format is DatasetFormat.TransformsJson or DatasetFormat.Colmap && data.Factor > 1
            ? $"; images downscaled by factor {data.Factor} (set factor = 1 for full resolution)" : string.Empty;
        return (detected.Format, $"dataset: {detected.Reason}{downscale}");
    }

    /// <summary>The splits the dataset has: the Blender folder's transforms_*.json; train and test for the other formats.</summary>
    public static IReadOnlyList<string> AvailableSplits(DataConfig data) =>
        Resolve(data).Format == DatasetFormat.Blender ? BlenderParser.AvailableSplits(data.DataDir) : ["train", "test"];

    /// <summary>The split used for held-out renders: test when present, else val (Blender); "test" for the other formats.</summary>
    public static string HeldOutSplit(DataConfig data)
    {
        if (Resolve(data).Format != DatasetFormat.Blender)
        {
            return "test";
        }

        var splits = BlenderParser.AvailableSplits(data.DataDir);
        return splits.Contains("test") ? "test" : splits.Contains("val") ? "val" : "train";
    }
}
