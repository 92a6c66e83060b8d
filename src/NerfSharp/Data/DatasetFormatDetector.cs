namespace NerfSharp.Data;

/// <summary>The dataset layouts NerfSharp reads.</summary>
public enum DatasetFormat
{
    /// <summary>Blender synthetic: transforms_{train,val,test}.json.</summary>
    Blender,

    /// <summary>instant-ngp or nerfstudio: one transforms.json.</summary>
    TransformsJson,

    /// <summary>LLFF: poses_bounds.npy with images_N folders.</summary>
    Llff,

    /// <summary>COLMAP sparse model (sparse/0, binary or text) with images/.</summary>
    Colmap,
}

/// <summary>A detected format and the sentence that says why it was chosen.</summary>
public sealed record DetectedFormat(DatasetFormat Format, string Reason);

/// <summary>
/// Tells a dataset folder's format from the files it holds, in this order: transforms_train.json (Blender),
/// transforms.json (instant-ngp/nerfstudio), poses_bounds.npy with an images_N folder or without a COLMAP model (LLFF),
/// a COLMAP sparse model (COLMAP), poses_bounds.npy alone (LLFF).
/// </summary>
public static class DatasetFormatDetector
{
    public static DetectedFormat Detect(string dataDir)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        if (!Directory.Exists(dataDir))
        {
            throw new DataFormatException(dataDir, "dataset folder does not exist");
        }

        if (File.Exists(Path.Combine(dataDir, "transforms_train.json")))
        {
            return new(DatasetFormat.Blender, $"{dataDir}: Blender synthetic format (transforms_train.json)");
        }

        if (File.Exists(Path.Combine(dataDir, "transforms.json")))
        {
            return new(DatasetFormat.TransformsJson, $"{dataDir}: instant-ngp/nerfstudio format (transforms.json)");
        }

        bool poses = File.Exists(Path.Combine(dataDir, "poses_bounds.npy"));
        string? model = ColmapParser.FindModel(dataDir);
        bool downscaled = Directory.Exists(dataDir) && Directory.GetDirectories(dataDir, "images_*").Length > 0;
        if (poses && (downscaled || model is null))
        {
            return new(DatasetFormat.Llff, $"{dataDir}: LLFF format (poses_bounds.npy{(downscaled ? " with images_N folders" : string.Empty)})");
        }

        if (model is not null)
        {
            return new(DatasetFormat.Colmap, $"{dataDir}: COLMAP sparse model ({model}){(poses ? "; poses_bounds.npy ignored (no images_N folder): pass --dataset_type llff to use it" : string.Empty)}");
        }

        throw new DataFormatException(dataDir, "cannot tell the dataset format: no transforms_train.json (Blender), transforms.json (instant-ngp/nerfstudio), poses_bounds.npy (LLFF) or sparse/0 COLMAP model");
    }

    /// <summary>The format a dataset_type key names: blender, instant_ngp / nerfstudio, llff, colmap; null for "auto" or "".</summary>
    public static DatasetFormat? FromKey(string key) => key switch
    {
        "blender" => DatasetFormat.Blender,
        "instant_ngp" or "nerfstudio" or "transforms" => DatasetFormat.TransformsJson,
        "llff" => DatasetFormat.Llff,
        "colmap" => DatasetFormat.Colmap,
        "auto" or "" => null,
        _ => throw new ArgumentException($"dataset_type '{key}' is not supported (blender, llff, instant_ngp, nerfstudio, colmap, auto)"),
    };
}
