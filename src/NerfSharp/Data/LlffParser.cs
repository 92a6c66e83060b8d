using NerfSharp.Cameras;
using NerfSharp.IO;
using NerfSharp.Imaging;
using NerfSharp.Numerics;

namespace NerfSharp.Data;

/// <summary>
/// nerf-pytorch's LLFF options: <paramref name="Factor"/> picks images_{factor} (0 or 1: images/); <paramref name="LlffHold"/>
/// holds out every N-th view for test (0: the view nearest the average pose); <paramref name="Spherify"/> for 360-degree
/// captures; <paramref name="NoNdc"/> keeps rays in world space; <paramref name="BdFactor"/> rescales so the nearest bound is
/// 1 / bd_factor; <paramref name="Recenter"/> moves the average pose to the identity; <paramref name="Cache"/> keeps decoded images between loads.
/// </summary>
public sealed record LlffOptions(
    int Factor = 8,
    int LlffHold = 8,
    bool Spherify = false,
    bool NoNdc = false,
    double BdFactor = 0.75,
    bool Recenter = true,
    string Split = "train",
    bool LoadImages = true,
    Imaging.DecodedImageCache? Cache = null);

/// <summary>
/// Parser for LLFF captures (poses_bounds.npy, N x 17: a 3x5 matrix [down, right, backwards, centre | H W focal] and the
/// near/far depth bounds per image), following nerf-pytorch's load_llff_data and its use in train(): images from
/// images_{factor} (or images/ area-downsampled by factor when that folder is missing), H and W from the first image, focal
/// divided by factor; axes reordered to OpenGL (<see cref="PoseConvention.FromLlff"/>); translations and bounds scaled by
/// 1 / (min bound * bd_factor); recentred on the average pose; optionally spherified; the spiral render path (or spherify's
/// circle). Bounds: NDC scenes use near 0, far 1 (rays mapped by <see cref="NdcRays"/> with near plane 1), else
/// 0.9 * min bound and max bound. Pixel corners (no +0.5), as nerf-pytorch. Poses stay in double (nerf-pytorch casts to float32).
/// </summary>
public static class LlffParser
{
    public static DataParserOutput Load(string dataDir, LlffOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(options);
        CaptureImages.CheckSplit(options.Split);
        string npyPath = Path.Combine(dataDir, "poses_bounds.npy");
        NpyArray array = Npy.Read(npyPath);
        if (array.Rank != 2 || array.Shape[1] != 17 || array.Shape[0] == 0)
        {
            throw new DataFormatException(npyPath, $"expected an N x 17 array (3x5 pose and 2 bounds per image), found shape ({string.Join(", ", array.Shape)})");
        }

        int n = array.Shape[0];
        int factor = Math.Max(1, options.Factor);
        var (imagePaths, downscale) = FindImages(dataDir, factor, npyPath);
        if (imagePaths.Count != n)
        {
            throw new DataFormatException(npyPath, $"{n} poses but {imagePaths.Count} images in {Path.GetDirectoryName(imagePaths.Count > 0 ? imagePaths[0] : dataDir)}");
        }

        var (width, height) = ImageFile.ReadSize(imagePaths[0]);
        width /= downscale;
        height /= downscale;

        var poses = new Pose[n];
        var bounds = new double[n * 2];
        double focal = array[0, 14] / factor;
        Span<double> m = stackalloc double[12];
        for (int i = 0; i < n; i++)
        {
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 4; c++)
                {
                    m[(r * 4) + c] = array[i, (r * 5) + c];
                }
            }

            poses[i] = PoseConvention.FromLlff(m);
            bounds[2 * i] = array[i, 15];
            bounds[(2 * i) + 1] = array[i, 16];
            if (!double.IsFinite(bounds[2 * i]) || !double.IsFinite(bounds[(2 * i) + 1]) || !(bounds[2 * i] > 0))
            {
                throw new DataFormatException(npyPath, $"row {i}: bounds ({bounds[2 * i]}, {bounds[(2 * i) + 1]}) are not positive numbers");
            }
        }

        if (!(focal > 0) || !double.IsFinite(focal))
        {
            throw new DataFormatException(npyPath, $"focal {array[0, 14]} is not a positive number");
        }

        double minBound = bounds.Min();
        double sc = options.BdFactor > 0 ? 1.0 / (minBound * options.BdFactor) : 1.0;
        for (int i = 0; i < n; i++)
        {
            poses[i] = PoseConvention.ScaleTranslation(poses[i], sc);
        }

        for (int i = 0; i < bounds.Length; i++)
        {
            bounds[i] *= sc;
        }

        if (options.Recenter)
        {
            Pose inverse = PoseConvention.RigidInverse(CameraPaths.AveragePose(poses));
            for (int i = 0; i < n; i++)
            {
                poses[i] = inverse.Compose(poses[i]);
            }
        }

        IReadOnlyList<Pose> renderPath;
        if (options.Spherify)
        {
            renderPath = Spherify(poses, bounds);
        }
        else
        {
            renderPath = CameraPaths.Spiral(poses, bounds.Min(), bounds.Max());
        }

        // nerf-pytorch: i_test = every llffhold-th, else the view closest to the average pose.
        int[] indices;
        string description;
        if (options.LlffHold > 0)
        {
            (indices, description) = CaptureImages.HoldOut(n, options.Split, options.LlffHold, $"LLFF (llffhold = {options.LlffHold})");
        }
        else
        {
            Pose avg = CameraPaths.AveragePose(poses);
            int test = 0;
            double best = double.MaxValue;
            for (int i = 0; i < n; i++)
            {
                double d = Square(avg[0, 3] - poses[i][0, 3]) + Square(avg[1, 3] - poses[i][1, 3]) + Square(avg[2, 3] - poses[i][2, 3]);
                if (d < best)
                {
                    (best, test) = (d, i);
                }
            }

            indices = [.. Enumerable.Range(0, n).Where(i => options.Split == "all" || (options.Split == "train" ? i != test : i == test))];
            description = $"LLFF (llffhold = 0): view {test}, the nearest to the average pose, is the test view";
        }

        var intrinsics = PinholeIntrinsics.FromFocal(width, height, focal);
        var cameras = indices.Select(i => new Camera(intrinsics, poses[i])).ToArray();
        var paths = indices.Select(i => imagePaths[i]).ToArray();
        var images = options.LoadImages ? CaptureImages.Load(paths, cameras, downscale, BackgroundColor.Black, options.Cache) : [];
        bool ndc = !options.NoNdc;
        float near = ndc ? 0f : (float)(bounds.Min() * 0.9);
        float far = ndc ? 1f : (float)bounds.Max();
        return new DataParserOutput(images, cameras, paths, near, far, BackgroundColor.Black)
        {
            Format = "llff",
            Ndc = ndc,
            RenderPath = renderPath,
            SourceIndices = indices,
            SplitDescription = description,
            WorldScale = sc,
        };
    }

    /// <summary>images_{factor} when it exists (downscale 1), else images/ with an area downscale by factor. Sorted by name; JPEG and PNG.</summary>
    private static (List<string> Paths, int Downscale) FindImages(string dataDir, int factor, string npyPath)
    {
        string folder = Path.Combine(dataDir, factor > 1 ? $"images_{factor}" : "images");
        int downscale = 1;
        if (!Directory.Exists(folder))
        {
            folder = Path.Combine(dataDir, "images");
            downscale = factor;
            if (!Directory.Exists(folder))
            {
                throw new DataFormatException(npyPath, $"no images_{factor}/ or images/ folder beside it");
            }
        }

        var paths = Directory.EnumerateFiles(folder)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg")
            .Order(StringComparer.Ordinal)
            .ToList();
        return (paths, downscale);
    }

    private static double Square(double v) => v * v;

    /// <summary>nerf-pytorch's spherify_poses: poses re-centred on the point nearest all viewing axes, scaled to unit radius; a 120-pose circle.</summary>
    private static Pose[] Spherify(Pose[] poses, double[] bounds)
    {
        int n = poses.Length;

        // min_line_dist: argmin_p sum |(I - d d^T)(p - o)|^2 over the camera axes (o, d = z axis).
        var a = new double[9];
        var b = new double[3];
        foreach (Pose p in poses)
        {
            double[] d = [p[0, 2], p[1, 2], p[2, 2]];
            double[] o = [p[0, 3], p[1, 3], p[2, 3]];
            var ai = new double[9];
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    ai[(r * 3) + c] = (r == c ? 1 : 0) - (d[r] * d[c]);
                }
            }

            // A_i is symmetric idempotent, so A_i^T A_i = A_i; b_i = -A_i o.
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    a[(r * 3) + c] += ai[(r * 3) + c] / n;
                    b[r] -= ai[(r * 3) + c] * o[c] / n;
                }
            }
        }

        double[] inv = Invert3(a);
        double[] center = new double[3];
        for (int r = 0; r < 3; r++)
        {
            center[r] = -((inv[r * 3] * b[0]) + (inv[(r * 3) + 1] * b[1]) + (inv[(r * 3) + 2] * b[2]));
        }

        double[] up = new double[3];
        foreach (Pose p in poses)
        {
            for (int r = 0; r < 3; r++)
            {
                up[r] += (p[r, 3] - center[r]) / n;
            }
        }

        double[] vec0 = Normalize(up);
        double[] vec1 = Normalize(Cross([0.1, 0.2, 0.3], vec0));
        double[] vec2 = Normalize(Cross(vec0, vec1));
        var c2w = new Pose([vec1[0], vec2[0], vec0[0], center[0], vec1[1], vec2[1], vec0[1], center[1], vec1[2], vec2[2], vec0[2], center[2]]);
        Pose inverse = PoseConvention.RigidInverse(c2w);
        double rad = 0;
        for (int i = 0; i < n; i++)
        {
            poses[i] = inverse.Compose(poses[i]);
            rad += (Square(poses[i][0, 3]) + Square(poses[i][1, 3]) + Square(poses[i][2, 3])) / n;
        }

        rad = Math.Sqrt(rad);
        double sc = 1.0 / rad;
        double zh = 0;
        for (int i = 0; i < n; i++)
        {
            poses[i] = PoseConvention.ScaleTranslation(poses[i], sc);
            zh += poses[i][2, 3] / n;
        }

        for (int i = 0; i < bounds.Length; i++)
        {
            bounds[i] *= sc;
        }

        rad *= sc;
        double radCircle = Math.Sqrt(Math.Max(0, (rad * rad) - (zh * zh)));
        var path = new Pose[120];
        for (int k = 0; k < path.Length; k++)
        {
            double th = 2.0 * Math.PI * k / 119.0;
            double[] origin = [radCircle * Math.Cos(th), radCircle * Math.Sin(th), zh];
            double[] v2 = Normalize(origin);
            double[] v0 = Normalize(Cross(v2, [0, 0, -1]));
            double[] v1 = Normalize(Cross(v2, v0));
            path[k] = new Pose([v0[0], v1[0], v2[0], origin[0], v0[1], v1[1], v2[1], origin[1], v0[2], v1[2], v2[2], origin[2]]);
        }

        return path;
    }

    private static double[] Cross(double[] a, double[] b) => [(a[1] * b[2]) - (a[2] * b[1]), (a[2] * b[0]) - (a[0] * b[2]), (a[0] * b[1]) - (a[1] * b[0])];

    private static double[] Normalize(double[] v)
    {
        double l = Math.Sqrt((v[0] * v[0]) + (v[1] * v[1]) + (v[2] * v[2]));
        return [v[0] / l, v[1] / l, v[2] / l];
    }

    private static double[] Invert3(double[] m)
    {
        double det = (m[0] * ((m[4] * m[8]) - (m[5] * m[7]))) - (m[1] * ((m[3] * m[8]) - (m[5] * m[6]))) + (m[2] * ((m[3] * m[7]) - (m[4] * m[6])));
        return
        [
            ((m[4] * m[8]) - (m[5] * m[7])) / det, ((m[2] * m[7]) - (m[1] * m[8])) / det, ((m[1] * m[5]) - (m[2] * m[4])) / det,
            ((m[5] * m[6]) - (m[3] * m[8])) / det, ((m[0] * m[8]) - (m[2] * m[6])) / det, ((m[2] * m[3]) - (m[0] * m[5])) / det,
            ((m[3] * m[7]) - (m[4] * m[6])) / det, ((m[1] * m[6]) - (m[0] * m[7])) / det, ((m[0] * m[4]) - (m[1] * m[3])) / det,
        ];
    }
}
