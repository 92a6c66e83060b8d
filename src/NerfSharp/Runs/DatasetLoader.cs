using NerfSharp.Configuration;
using NerfSharp.Data;

namespace NerfSharp.Runs;

/// <summary>Loads a split of the dataset a run config names, dispatching on dataset_type.</summary>
public static class DatasetLoader
{
    public static readonly IReadOnlyList<string> DatasetTypes = ["blender"];

    public static DataParserOutput Load(DataConfig data, string split)
    {
        if (string.IsNullOrEmpty(data.DataDir))
        {
            throw new ArgumentException("no dataset given: pass --data DIR (or datadir in a config file)");
        }

        if (!Directory.Exists(data.DataDir))
        {
            throw new DataFormatException(data.DataDir, "dataset folder does not exist");
        }

        var background = data.WhiteBackground ? BackgroundColor.White : BackgroundColor.Black;
        return data.DatasetType switch
        {
            "blender" => BlenderParser.Load(data.DataDir, split, new BlenderOptions(data.HalfRes, split == "train" ? 1 : Math.Max(1, data.TestSkip), background, KeepAlpha: split == "train" && data.RandomBackground)),
            _ => throw new ArgumentException($"dataset_type '{data.DatasetType}' is not supported yet (available: {string.Join(", ", DatasetTypes)})"),
        };
    }

    /// <summary>The splits the dataset folder has.</summary>
    public static IReadOnlyList<string> AvailableSplits(DataConfig data) => BlenderParser.AvailableSplits(data.DataDir);

    /// <summary>The split used for held-out renders: test when present, else val.</summary>
    public static string HeldOutSplit(DataConfig data)
    {
        var splits = BlenderParser.AvailableSplits(data.DataDir);
        return splits.Contains("test") ? "test" : splits.Contains("val") ? "val" : "train";
    }
}
