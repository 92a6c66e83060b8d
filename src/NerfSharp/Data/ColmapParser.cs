using NerfSharp.Cameras;
using NerfSharp.Numerics;

namespace NerfSharp.Data;

/// <summary>How the COLMAP parser loads a scene: the common capture options and whether to normalise the world.</summary>
public sealed record ColmapOptions(CaptureOptions Capture, bool Normalize = true);

/// <summary>
/// Parser for a COLMAP capture folder: a sparse model (sparse/0, else the sparse/N with the most images, else sparse/, else
/// the folder itself; binary or text) and its images (images/). Views are sorted by file name (as LLFF's imgs2poses).
/// Poses go through <see cref="PoseConvention.FromColmap"/>; the world is normalised by <see cref="SceneNormalization"/>
/// unless asked not to. Each view's near and far are LLFF's: the 0.1 and 99.9 percentiles of the depths of the sparse points
/// it sees (scaled with the world). Pixel centres at +0.5 (COLMAP's convention).
/// </summary>
public static class ColmapParser
{
    /// <summary>The folder holding the model files, or null when <paramref name="dataDir"/> has none.</summary>
    public static string? FindModel(string dataDir)
    {
        string sparse = Path.Combine(dataDir, "sparse");
        if (ColmapModel.Exists(Path.Combine(sparse, "0")))
        {
            return Path.Combine(sparse, "0");
        }

        if (Directory.Exists(sparse))
        {
            string? best = null;
            long bestSize = -1;
            foreach (string sub in Directory.GetDirectories(sparse).Order(StringComparer.Ordinal))
            {
                if (ColmapModel.Exists(sub))
                {
                    // The model with the most registered images: images.bin/txt grows with them.
                    long size = new FileInfo(File.Exists(Path.Combine(sub, "images.bin")) ? Path.Combine(sub, "images.bin") : Path.Combine(sub, "images.txt")).Length;
                    if (size > bestSize)
                    {
                        (best, bestSize) = (sub, size);
                    }
                }
            }

            if (best is not null)
            {
                return best;
            }

            if (ColmapModel.Exists(sparse))
            {
                return sparse;
            }
        }

        return ColmapModel.Exists(dataDir) ? dataDir : null;
    }

    public static DataParserOutput Load(string dataDir, ColmapOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(options);
        CaptureOptions o = options.Capture;
        CaptureImages.CheckSplit(o.Split);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.Downscale);
        string modelDir = FindModel(dataDir) ?? throw new DataFormatException(dataDir, "no COLMAP sparse model (sparse/0/cameras.bin, images.bin or the .txt files)");
        ColmapModel model = ColmapModel.Read(modelDir);
        string imagesFile = Path.Combine(modelDir, File.Exists(Path.Combine(modelDir, "images.bin")) ? "images.bin" : "images.txt");
        if (model.Images.Count == 0)
        {
            throw new DataFormatException(imagesFile, "the model has no registered images");
        }

        var cameraById = new Dictionary<int, ColmapCamera>();
        foreach (var c in model.Cameras)
        {
            cameraById[c.Id] = c;
        }

        var sorted = model.Images.OrderBy(im => im.Name, StringComparer.Ordinal).ToArray();
        var poses = new Pose[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            var im = sorted[i];
            if (!cameraById.ContainsKey(im.CameraId))
            {
                throw new DataFormatException(imagesFile, $"image {im.Id} ({im.Name}) refers to camera {im.CameraId}, which cameras{Path.GetExtension(imagesFile)} does not have");
            }

            poses[i] = PoseConvention.FromColmap(im.Qw, im.Qx, im.Qy, im.Qz, im.Tx, im.Ty, im.Tz);
        }

        double[][] bounds = DepthPercentiles(model, sorted, poses);
        var (transform, scale) = options.Normalize ? SceneNormalization.Compute(poses) : (Pose.Identity, 1.0);

        var (indices, description) = CaptureImages.HoldOut(sorted.Length, o.Split, o.HoldEvery, "COLMAP");
        var cameras = new Camera[indices.Length];
        var paths = new string[indices.Length];
        var viewBounds = new DepthBounds[indices.Length];
        string imageDir = Path.Combine(dataDir, "images");
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            var (intrinsics, distortion) = cameraById[sorted[i].CameraId].ToIntrinsics();
            if (o.Downscale > 1)
            {
                intrinsics = intrinsics.Scaled(1.0 / o.Downscale);
            }

            cameras[k] = new Camera(intrinsics, options.Normalize ? SceneNormalization.Apply(transform, scale, poses[i]) : poses[i])
            {
                Distortion = distortion,
                PixelCenter = PixelCenter.Center,
            };
            paths[k] = Path.Combine(imageDir, sorted[i].Name);
            viewBounds[k] = new DepthBounds((float)(bounds[i][0] * scale), (float)(bounds[i][1] * scale));
        }

        var images = o.LoadImages ? CaptureImages.Load(paths, cameras, o.Downscale, o.Background, o.Cache) : [];
        float near = viewBounds.Length == 0 ? 0 : viewBounds.Min(b => b.Near);
        float far = viewBounds.Length == 0 ? 1 : viewBounds.Max(b => b.Far);
        return new DataParserOutput(images, cameras, paths, near, far, o.Background)
        {
            Format = "colmap",
            ViewBounds = viewBounds,
            SourceIndices = indices,
            SplitDescription = description,
            WorldTransform = transform,
            WorldScale = scale,
        };
    }

    /// <summary>
    /// Per image (in <paramref name="sorted"/> order): the 0.1 and 99.9 percentiles of the depths along the camera's viewing axis of
    /// the points whose track contains it (LLFF's imgs2poses), in the model's units. An image that sees no point gets the
    /// percentiles over all points.
    /// </summary>
    private static double[][] DepthPercentiles(ColmapModel model, ColmapImage[] sorted, Pose[] poses)
    {
        var indexById = new Dictionary<int, int>();
        for (int i = 0; i < sorted.Length; i++)
        {
            indexById[sorted[i].Id] = i;
        }

        var depths = new List<double>[sorted.Length];
        for (int i = 0; i < depths.Length; i++)
        {
            depths[i] = [];
        }

        var seen = new long[sorted.Length];
        Array.Fill(seen, -1);
        var all = new List<double>();
        for (int pi = 0; pi < model.Points.Count; pi++)
        {
            var p = model.Points[pi];
            foreach (int id in p.ImageIds)
            {
                if (indexById.TryGetValue(id, out int i) && seen[i] != pi)
                {
                    seen[i] = pi;
                    Pose c = poses[i];

                    // OpenGL camera looks down -z: depth = -(p - o) . z_axis.
                    double d = -(((p.X - c[0, 3]) * c[0, 2]) + ((p.Y - c[1, 3]) * c[1, 2]) + ((p.Z - c[2, 3]) * c[2, 2]));
                    depths[i].Add(d);
                    all.Add(d);
                }
            }
        }

        var result = new double[sorted.Length][];
        for (int i = 0; i < sorted.Length; i++)
        {
            var zs = depths[i].Count > 0 ? depths[i] : all;
            result[i] = zs.Count == 0 ? [0.01, 100] : [Percentile(zs, 0.1), Percentile(zs, 99.9)];
        }

        return result;
    }

    /// <summary>numpy.percentile (linear interpolation between order statistics).</summary>
    internal static double Percentile(List<double> values, double q)
    {
        double[] s = [.. values];
        Array.Sort(s);
        double position = q / 100.0 * (s.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, s.Length - 1);
        return s[lower] + ((s[upper] - s[lower]) * (position - lower));
    }
}
