using System.Text.Json;
using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// nerfstudio's dataparser_transforms.json (written next to a nerfstudio run's config): the similarity nerfstudio applied
/// to the dataset's camera-to-world poses before training, c2w_ns = [R_t R | scale (R_t t + t_t)] for transform [R_t | t_t].
/// Camera paths made in nerfstudio's viewer live in that frame; <see cref="ToDatasetFrame"/> maps such a pose back to the
/// dataset file's own frame, which is the frame NerfSharp trains Blender scenes and transforms.json captures in.
/// </summary>
public sealed record NerfstudioWorldTransform(Pose Transform, double Scale)
{
    public static NerfstudioWorldTransform Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: the dataparser transforms file does not exist", path);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("transform", out JsonElement t) || t.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("scale", out JsonElement s) || s.ValueKind != JsonValueKind.Number)
            {
                throw new DataFormatException(path, "expected an object with 'transform' (3x4 rows) and 'scale' (a number)");
            }

            var values = new List<double>(12);
            foreach (JsonElement row in t.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Array)
                {
                    throw new DataFormatException(path, "'transform' is not a list of rows");
                }

                foreach (JsonElement v in row.EnumerateArray())
                {
                    values.Add(v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d)
                        ? d
                        : throw new DataFormatException(path, "'transform' holds a value that is not a finite number"));
                }
            }

            if (values.Count is not (12 or 16))
            {
                throw new DataFormatException(path, $"'transform' has {values.Count} numbers; a 3x4 (or 4x4) matrix is expected");
            }

            double scale = s.GetDouble();
            if (!(scale > 0) || !double.IsFinite(scale))
            {
                throw new DataFormatException(path, $"'scale' must be positive, got {scale}");
            }

            return new NerfstudioWorldTransform(new Pose(values.ToArray().AsSpan(0, 12)), scale);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"malformed JSON: {e.Message}", e);
        }
    }

    /// <summary>The pose nerfstudio trained on for a dataset pose <paramref name="c2w"/>.</summary>
    public Pose FromDatasetFrame(Pose c2w) => PoseConvention.ScaleTranslation(Transform.Compose(c2w), Scale);

    /// <summary>The dataset-frame pose of a nerfstudio-frame pose: [R_t^T R | R_t^T (t / scale - t_t)].</summary>
    public Pose ToDatasetFrame(Pose c2w) => PoseConvention.RigidInverse(Transform).Compose(PoseConvention.ScaleTranslation(c2w, 1.0 / Scale));
}
