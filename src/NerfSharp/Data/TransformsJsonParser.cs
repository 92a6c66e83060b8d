using System.Text.Json;
using NerfSharp.Cameras;
using NerfSharp.Imaging;
using NerfSharp.Numerics;

namespace NerfSharp.Data;

/// <summary>
/// Parser for instant-ngp and nerfstudio <c>transforms.json</c> captures. Intrinsics from fl_x/fl_y or camera_angle_x/_y
/// (fl = 0.5 w / tan(0.5 angle)), cx/cy (default w/2, h/2), w/h (default: the first image's size); distortion k1..k4,
/// p1, p2 with camera_model OPENCV (default), OPENCV_FISHEYE (or instant-ngp's is_fisheye), SIMPLE_RADIAL, RADIAL or PINHOLE;
/// every one of these keys may be overridden per frame. Frames: file_path relative to the file's folder (".png", ".jpg",
/// ".jpeg" tried when it has no extension) and transform_matrix (OpenGL camera-to-world, kept as is). nerfstudio's
/// train_filenames/val_filenames/test_filenames give the split; otherwise every <see cref="CaptureOptions.HoldEvery"/>-th frame
/// is held out. aabb_scale, scale and offset give the scene box: instant-ngp's unit cube scaled by aabb_scale about its centre,
/// mapped back to this world (p_ngp = scale * (y, z, x) + offset). applied_transform (nerfstudio) is reported as the world
/// transform; mask_path per frame is resolved into MaskPaths and decoded into Masks (nerfstudio: 0 = ignore the pixel). Per-view near/far: from the camera centre to the nearest point of the box (at least 1% of far) and to its farthest corner.
/// Pixel centres at +0.5, as instant-ngp and nerfstudio.
/// </summary>
public static class TransformsJsonParser
{
    /// <summary>instant-ngp's defaults for scale and offset.</summary>
    public const double DefaultScale = 0.33;

    public static DataParserOutput Load(string dataDir, CaptureOptions options, string fileName = "transforms.json")
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(options);
        CaptureImages.CheckSplit(options.Split);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Downscale);
        string jsonPath = Path.Combine(dataDir, fileName);
        if (!File.Exists(jsonPath))
        {
            throw new DataFormatException(jsonPath, "transforms file does not exist");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(jsonPath), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new DataFormatException(jsonPath, $"malformed JSON: {e.Message}", e);
        }

        using (document)
        {
            return Parse(document.RootElement, jsonPath, dataDir, options);
        }
    }

    private static DataParserOutput Parse(JsonElement root, string jsonPath, string dataDir, CaptureOptions options)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException(jsonPath, "the top level is not a JSON object");
        }

        if (!root.TryGetProperty("frames", out JsonElement framesElement) || framesElement.ValueKind != JsonValueKind.Array || framesElement.GetArrayLength() == 0)
        {
            throw new DataFormatException(jsonPath, "'frames' is missing or not a non-empty array");
        }

        bool nerfstudio = root.TryGetProperty("camera_model", out _) || root.TryGetProperty("applied_transform", out _) || root.TryGetProperty("train_filenames", out _);
        var frames = new List<(string Path, string FilePath, Pose Pose, JsonElement Element)>();
        int index = 0;
        foreach (JsonElement frame in framesElement.EnumerateArray())
        {
            string where = $"frames[{index}]";
            if (frame.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(jsonPath, $"{where} is not a JSON object");
            }

            string file = frame.TryGetProperty("file_path", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString() ?? "" : "";
            if (file.Length == 0 || file.Contains('\0', StringComparison.Ordinal))
            {
                throw new DataFormatException(jsonPath, $"{where}.file_path is missing or not a non-empty file path");
            }

            frames.Add((ResolveImage(dataDir, file), file, ReadMatrix(frame, "transform_matrix", jsonPath, where), frame));
            index++;
        }

        nerfstudio |= frames[0].Element.TryGetProperty("camera_model", out _);
        var (indices, description) = SplitIndices(root, frames.Select(f => f.FilePath).ToList(), options, jsonPath);
        var cameras = new Camera[indices.Length];
        var paths = new string[indices.Length];
        var masks = new string?[indices.Length];
        bool anyMask = false;
        for (int k = 0; k < indices.Length; k++)
        {
            var fr = frames[indices[k]];
            if (fr.Element.TryGetProperty("mask_path", out JsonElement mask) && mask.ValueKind == JsonValueKind.String
                && mask.GetString() is { Length: > 0 } maskFile && !maskFile.Contains('\0', StringComparison.Ordinal))
            {
                masks[k] = ResolveImage(dataDir, maskFile);
                anyMask = true;
            }

            var (intrinsics, distortion) = ReadIntrinsics(root, fr.Element, fr.Path, jsonPath, $"frames[{indices[k]}]");
            if (options.Downscale > 1)
            {
                intrinsics = intrinsics.Scaled(1.0 / options.Downscale);
            }

            cameras[k] = new Camera(intrinsics, fr.Pose) { Distortion = distortion, PixelCenter = PixelCenter.Center };
            paths[k] = fr.Path;
        }

        double aabbScale = OptionalNumber(root, "aabb_scale", jsonPath) ?? 1.0;
        double scale = OptionalNumber(root, "scale", jsonPath) ?? DefaultScale;
        double[] offset = root.TryGetProperty("offset", out JsonElement off) ? ReadVector(off, 3, jsonPath, "offset") : [0.5, 0.5, 0.5];
        if (!(aabbScale > 0) || !(scale > 0))
        {
            throw new DataFormatException(jsonPath, $"aabb_scale ({aabbScale}) and scale ({scale}) must be positive");
        }

        // instant-ngp: p_ngp = scale * (y, z, x) + offset, its box [0.5 - a/2, 0.5 + a/2]^3; so x = (p_ngp.z - offset.z) / scale, ...
        double lo = 0.5 - (aabbScale / 2), hi = 0.5 + (aabbScale / 2);
        var box = new SceneBounds(
            (lo - offset[2]) / scale, (lo - offset[0]) / scale, (lo - offset[1]) / scale,
            (hi - offset[2]) / scale, (hi - offset[0]) / scale, (hi - offset[1]) / scale);
        var bounds = cameras.Select(c => BoundsInBox(c.CameraToWorld, box)).ToArray();
        Pose applied = root.TryGetProperty("applied_transform", out JsonElement at) ? ReadRows(at, jsonPath, "applied_transform") : Pose.Identity;

        var images = options.LoadImages ? CaptureImages.Load(paths, cameras, options.Downscale, options.Background, options.Cache) : [];
        PixelMask?[]? pixelMasks = options.LoadImages && anyMask
            ? masks.Select((m, k) => m is null ? null : PixelMask.Load(m, images[k].Width, images[k].Height, options.Downscale)).ToArray()
            : null;
        return new DataParserOutput(images, cameras, paths, bounds.Length == 0 ? 0 : bounds.Min(b => b.Near), bounds.Length == 0 ? 1 : bounds.Max(b => b.Far), options.Background)
        {
            Format = nerfstudio ? "nerfstudio" : "instant_ngp",
            ViewBounds = bounds,
            SceneBox = box,
            AabbScale = aabbScale,
            SourceIndices = indices,
            SplitDescription = description,
            WorldTransform = applied,
            MaskPaths = anyMask ? masks : null,
            Masks = pixelMasks,
        };
    }

    private static (int[] Indices, string Description) SplitIndices(JsonElement root, List<string> filePaths, CaptureOptions options, string jsonPath)
    {
        string key = options.Split switch { "train" => "train_filenames", "val" => "val_filenames", "test" => "test_filenames", _ => "" };
        if (key.Length > 0 && root.TryGetProperty("train_filenames", out _))
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            if (root.TryGetProperty(key, out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement e in list.EnumerateArray())
                {
                    names.Add(Normalize(e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : ""));
                }
            }
            else if (options.Split == "test" && root.TryGetProperty("val_filenames", out JsonElement val) && val.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement e in val.EnumerateArray())
                {
                    names.Add(Normalize(e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : ""));
                }
            }

            int[] chosen = [.. Enumerable.Range(0, filePaths.Count).Where(i => names.Contains(Normalize(filePaths[i])))];
            if (chosen.Length == 0)
            {
                throw new DataFormatException(jsonPath, $"the {options.Split} split ({key}) names no frame of the file");
            }

            return (chosen, $"nerfstudio split from {key}: {chosen.Length} of {filePaths.Count} frames");
        }

        return CaptureImages.HoldOut(filePaths.Count, options.Split, options.HoldEvery, "transforms.json (no split in the file)");
    }

    private static string Normalize(string p) => p.Replace('\\', '/').TrimStart('.', '/');

    private static string ResolveImage(string dataDir, string file)
    {
        string path = Path.GetFullPath(Path.Combine(dataDir, file));
        if (!Path.HasExtension(file))
        {
            foreach (string ext in new[] { ".png", ".jpg", ".jpeg", ".JPG", ".PNG" })
            {
                if (File.Exists(path + ext))
                {
                    return path + ext;
                }
            }

            return path + ".png";
        }

        return path;
    }

    private static (PinholeIntrinsics, LensDistortion) ReadIntrinsics(JsonElement root, JsonElement frame, string imagePath, string jsonPath, string where)
    {
        double? Get(string key) => OptionalNumber(frame, key, jsonPath) ?? OptionalNumber(root, key, jsonPath);
        double? w = Get("w"), h = Get("h");
        if (w is null || h is null)
        {
            if (!File.Exists(imagePath))
            {
                throw new DataFormatException(jsonPath, $"{where}: no w/h given and its image {imagePath} does not exist");
            }

            var size = ImageFile.ReadSize(imagePath);
            w ??= size.Width;
            h ??= size.Height;
        }

        if (!(w >= 1 && w <= 1 << 20 && h >= 1 && h <= 1 << 20))
        {
            throw new DataFormatException(jsonPath, $"{where}: image size {w}x{h} is not a positive size");
        }

        double? flX = Get("fl_x"), flY = Get("fl_y");
        double? angleX = Get("camera_angle_x"), angleY = Get("camera_angle_y");
        flX ??= angleX is double ax ? 0.5 * w.Value / Math.Tan(0.5 * ax) : null;
        flY ??= angleY is double ay ? 0.5 * h.Value / Math.Tan(0.5 * ay) : flX;
        flX ??= flY;
        if (flX is null || flY is null || !(flX > 0) || !(flY > 0))
        {
            throw new DataFormatException(jsonPath, $"{where}: no usable focal length (fl_x/fl_y or camera_angle_x/camera_angle_y)");
        }

        var intrinsics = new PinholeIntrinsics((int)w.Value, (int)h.Value, flX.Value, flY.Value, Get("cx") ?? (w.Value / 2), Get("cy") ?? (h.Value / 2));
        string model = (frame.TryGetProperty("camera_model", out JsonElement m) || root.TryGetProperty("camera_model", out m)) && m.ValueKind == JsonValueKind.String
            ? m.GetString() ?? "OPENCV" : "OPENCV";
        bool fisheye = model == "OPENCV_FISHEYE" || (root.TryGetProperty("is_fisheye", out JsonElement isF) && isF.ValueKind == JsonValueKind.True);
        double k1 = Get("k1") ?? 0, k2 = Get("k2") ?? 0, k3 = Get("k3") ?? 0, k4 = Get("k4") ?? 0, p1 = Get("p1") ?? 0, p2 = Get("p2") ?? 0;
        LensDistortion distortion = fisheye ? LensDistortion.OpenCvFisheye(k1, k2, k3, k4) : model switch
        {
            "OPENCV" => LensDistortion.OpenCv(k1, k2, p1, p2, k3),
            "SIMPLE_RADIAL" => LensDistortion.SimpleRadial(k1),
            "RADIAL" => LensDistortion.Radial(k1, k2),
            "PINHOLE" or "SIMPLE_PINHOLE" => LensDistortion.None,
            _ => throw new DataFormatException(jsonPath, $"{where}: camera_model '{model}' is not supported (OPENCV, OPENCV_FISHEYE, SIMPLE_RADIAL, RADIAL, PINHOLE)"),
        };
        return (intrinsics, distortion.IsIdentity ? LensDistortion.None : distortion);
    }

    /// <summary>Near: distance from the camera centre to the box (at least 1% of far); far: to the box's farthest corner.</summary>
    private static DepthBounds BoundsInBox(Pose c2w, SceneBounds box)
    {
        var (x, y, z) = c2w.Origin;
        double dx = Math.Max(0, Math.Max(box.MinX - x, x - box.MaxX));
        double dy = Math.Max(0, Math.Max(box.MinY - y, y - box.MaxY));
        double dz = Math.Max(0, Math.Max(box.MinZ - z, z - box.MaxZ));
        double fx = Math.Max(Math.Abs(x - box.MinX), Math.Abs(x - box.MaxX));
        double fy = Math.Max(Math.Abs(y - box.MinY), Math.Abs(y - box.MaxY));
        double fz = Math.Max(Math.Abs(z - box.MinZ), Math.Abs(z - box.MaxZ));
        double far = Math.Sqrt((fx * fx) + (fy * fy) + (fz * fz));
        double near = Math.Max(Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)), 0.01 * far);
        return new DepthBounds((float)near, (float)far);
    }

    private static double? OptionalNumber(JsonElement parent, string key, string jsonPath)
    {
        if (!parent.TryGetProperty(key, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Number || !double.IsFinite(e.GetDouble()))
        {
            throw new DataFormatException(jsonPath, $"'{key}' is not a finite number");
        }

        return e.GetDouble();
    }

    private static double[] ReadVector(JsonElement e, int n, string jsonPath, string what)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != n)
        {
            throw new DataFormatException(jsonPath, $"'{what}' is not an array of {n} numbers");
        }

        var v = new double[n];
        int i = 0;
        foreach (JsonElement x in e.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !double.IsFinite(x.GetDouble()))
            {
                throw new DataFormatException(jsonPath, $"'{what}' is not an array of {n} numbers");
            }

            v[i++] = x.GetDouble();
        }

        return v;
    }

    private static Pose ReadMatrix(JsonElement frame, string key, string jsonPath, string where)
    {
        if (!frame.TryGetProperty(key, out JsonElement matrix))
        {
            throw new DataFormatException(jsonPath, $"{where}: missing key '{key}'");
        }

        return ReadRows(matrix, jsonPath, $"{where}.{key}");
    }

    /// <summary>3 or 4 rows of 4 numbers; the top 3 rows are the pose.</summary>
    private static Pose ReadRows(JsonElement matrix, string jsonPath, string what)
    {
        if (matrix.ValueKind != JsonValueKind.Array || matrix.GetArrayLength() is not (3 or 4))
        {
            throw new DataFormatException(jsonPath, $"{what} is not a 3x4 or 4x4 array of numbers");
        }

        var values = new double[12];
        int row = 0;
        foreach (JsonElement r in matrix.EnumerateArray())
        {
            double[] v = ReadVector(r, 4, jsonPath, $"{what}[{row}]");
            if (row < 3)
            {
                v.CopyTo(values, row * 4);
            }

            row++;
        }

        return new Pose(values);
    }
}
