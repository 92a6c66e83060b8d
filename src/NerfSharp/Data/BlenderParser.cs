using System.Runtime.ExceptionServices;
using System.Text.Json;
using NerfSharp.Cameras;
using NerfSharp.Imaging;
using NerfSharp.Numerics;

namespace NerfSharp.Data;

/// <summary>
/// Parser for the Blender synthetic scenes (nerf_synthetic), following nerf-pytorch's load_blender_data.
/// A split is described by transforms_{split}.json: camera_angle_x (horizontal field of view in radians) and
/// frames[] with file_path (relative to the dataset folder, ".png" appended when it has no extension) and a
/// 4x4 camera-to-world transform_matrix in the OpenGL camera convention (already the internal one).
/// focal = 0.5 W / tan(0.5 camera_angle_x); the principal point is the image centre; near 2, far 6.
/// </summary>
public static class BlenderParser
{
    public const float Near = 2f;

    public const float Far = 6f;

    private const string Prefix = "transforms_";
    private const string Suffix = ".json";

    /// <summary>The split names this dataset folder has a transforms_{split}.json for, sorted (e.g. test, train, val).</summary>
    public static IReadOnlyList<string> AvailableSplits(string dataDir)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        if (!Directory.Exists(dataDir))
        {
            throw new DataFormatException(dataDir, "dataset folder does not exist");
        }

        var splits = new List<string>();
        foreach (string file in Directory.EnumerateFiles(dataDir, Prefix + "*" + Suffix))
        {
            string name = Path.GetFileName(file);
            splits.Add(name[Prefix.Length..^Suffix.Length]);
        }

        splits.Sort(StringComparer.Ordinal);
        return splits;
    }

    /// <summary>
    /// Loads one split: every frame's image (decoded on two threads, kept in file order) and camera.
    /// RGBA images are composited over <see cref="BlenderOptions.Background"/> (or kept with <see cref="BlenderOptions.KeepAlpha"/>); with HalfRes they are first area-downsampled
    /// by 2 (alpha too, as nerf-pytorch resizes before compositing) and the focal length is halved.
    /// </summary>
    public static DataParserOutput Load(string dataDir, string split, BlenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentException.ThrowIfNullOrEmpty(split);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TestSkip);
        if (split.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new ArgumentException($"invalid split name '{split}'", nameof(split));
        }

        IReadOnlyList<string> available = AvailableSplits(dataDir);
        string jsonPath = Path.Combine(dataDir, Prefix + split + Suffix);
        if (!File.Exists(jsonPath))
        {
            string has = available.Count == 0
                ? "the folder has no transforms_*.json file"
                : $"the folder has {string.Join(", ", available.Select(s => Prefix + s + Suffix))} (splits: {string.Join(", ", available)})";
            throw new DataFormatException(jsonPath, $"split '{split}' not found: {has}");
        }

        var (cameraAngleX, allFrames) = ReadTransforms(jsonPath, dataDir);
        int skip = split == "train" || options.TestSkip == 0 ? 1 : options.TestSkip;
        var frames = new List<Frame>();
        for (int i = 0; i < allFrames.Count; i += skip)
        {
            frames.Add(allFrames[i]);
        }

        var (r, g, b) = options.Background == BackgroundColor.White ? (1f, 1f, 1f) : (0f, 0f, 0f);
        bool compact = options.MaxImageBytes > 0 && frames.Count > 0 && ChooseCompact(frames, options, jsonPath);
        var images = new Image[frames.Count];
        var sourceSizes = new (int Width, int Height)[frames.Count];
        var failures = new Exception?[frames.Count];
        Parallel.For(0, frames.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            try
            {
                var frame = frames[i];
                if (!File.Exists(frame.ImagePath))
                {
                    throw new DataFormatException(frame.ImagePath, $"image of frames[{frame.Index}] in {jsonPath} does not exist");
                }

                if (compact)
                {
                    DecodedPng png = PngDecoder.Read(frame.ImagePath);
                    sourceSizes[i] = (png.Width, png.Height);
                    if (png.BitDepth == 8 && png.Channels is 3 or 4)
                    {
                        images[i] = Image.FromBytes(png.Width, png.Height, png.Channels, ToBytes(png.Samples), options.KeepAlpha ? null : (r, g, b));
                        return;
                    }
                }

                Image Decode()
                {
                    Image image = PngDecoder.ReadImage(frame.ImagePath);
                    if (options.HalfRes)
                    {
                        image = ImageOps.DownsampleArea(image, 2);
                    }

                    return options.KeepAlpha && image.Channels == 4 ? image : ImageOps.CompositeOver(image, r, g, b);
                }

                images[i] = options.Cache is null ? Decode()
                    : options.Cache.GetOrAdd(frame.ImagePath, $"blender; half {options.HalfRes}; keep alpha {options.KeepAlpha}; over {r} {g} {b}", Decode);
                sourceSizes[i] = options.HalfRes ? (images[i].Width * 2, images[i].Height * 2) : (images[i].Width, images[i].Height);
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        });

        // The first failing frame in file order, whatever the thread timing.
        foreach (var failure in failures)
        {
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }

        var (width, height) = sourceSizes[0];
        for (int i = 1; i < frames.Count; i++)
        {
            if (sourceSizes[i] != sourceSizes[0])
            {
                throw new DataFormatException(frames[i].ImagePath,
                    $"image is {sourceSizes[i].Width}x{sourceSizes[i].Height} but {frames[0].ImagePath} is {width}x{height}: all images of a split must have one size");
            }
        }

        double focal = 0.5 * width / Math.Tan(0.5 * cameraAngleX);
        var intrinsics = options.HalfRes
            ? PinholeIntrinsics.FromFocal(width / 2, height / 2, focal / 2)
            : PinholeIntrinsics.FromFocal(width, height, focal);
        var cameras = new Camera[frames.Count];
        var paths = new string[frames.Count];
        for (int i = 0; i < frames.Count; i++)
        {
            cameras[i] = new Camera(intrinsics, frames[i].CameraToWorld) { PixelCenter = options.PixelCenter };
            paths[i] = frames[i].ImagePath;
        }

        return new DataParserOutput(images, cameras, paths, Near, Far, options.Background);
    }

    /// <summary>
    /// Whether the split's images must be kept as 8-bit samples to fit <see cref="BlenderOptions.MaxImageBytes"/>, judged from
    /// the first image's header (a split has one size); throws when even 8-bit samples would not fit.
    /// </summary>
    private static bool ChooseCompact(List<Frame> frames, BlenderOptions options, string jsonPath)
    {
        if (!File.Exists(frames[0].ImagePath))
        {
            return false; // reported, with its frame, by the decoding loop
        }

        var (width, height, channels) = PngDecoder.ReadHeader(frames[0].ImagePath);
        int kept = options.KeepAlpha && channels == 4 ? 4 : 3;
        long pixels = (long)width * height * frames.Count;
        long floatBytes = options.HalfRes ? pixels / 4 * kept * 4 : pixels * kept * 4;
        if (floatBytes <= options.MaxImageBytes)
        {
            return false;
        }

        long compactBytes = pixels * channels;
        if (options.HalfRes || compactBytes > options.MaxImageBytes)
        {
            throw new ArgumentException(
                $"the {frames.Count} images of {jsonPath} ({width}x{height}) need {Configuration.MemorySize.Format(options.HalfRes ? floatBytes : compactBytes)} " +
                $"{(options.HalfRes ? "at half resolution" : "even as 8-bit samples")}, more than the {Configuration.MemorySize.Format(options.MaxImageBytes)} " +
                "the memory limit leaves for images: raise --max-memory (images get a quarter of it)");
        }

        return true;
    }

    private static byte[] ToBytes(ushort[] samples)
    {
        var bytes = new byte[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            bytes[i] = (byte)samples[i];
        }

        return bytes;
    }

    private static (double CameraAngleX, List<Frame> Frames) ReadTransforms(string jsonPath, string dataDir)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        }
        catch (JsonException e)
        {
            throw new DataFormatException(jsonPath, $"malformed JSON: {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(jsonPath, "the top level is not a JSON object");
            }

            double cameraAngleX = GetNumber(root, "camera_angle_x", jsonPath);
            if (!(cameraAngleX > 0 && cameraAngleX < Math.PI))
            {
                throw new DataFormatException(jsonPath, $"camera_angle_x = {cameraAngleX} is not a field of view in (0, pi) radians");
            }

            if (!root.TryGetProperty("frames", out JsonElement framesElement))
            {
                throw new DataFormatException(jsonPath, "missing key 'frames'");
            }

            if (framesElement.ValueKind != JsonValueKind.Array || framesElement.GetArrayLength() == 0)
            {
                throw new DataFormatException(jsonPath, "'frames' is not a non-empty array");
            }

            var frames = new List<Frame>();
            int index = 0;
            foreach (JsonElement frame in framesElement.EnumerateArray())
            {
                string where = $"frames[{index}]";
                if (frame.ValueKind != JsonValueKind.Object)
                {
                    throw new DataFormatException(jsonPath, $"{where} is not a JSON object");
                }

                if (!frame.TryGetProperty("file_path", out JsonElement fileElement))
                {
                    throw new DataFormatException(jsonPath, $"{where}: missing key 'file_path'");
                }

                string? file = fileElement.ValueKind == JsonValueKind.String ? fileElement.GetString() : null;
                if (string.IsNullOrEmpty(file))
                {
                    throw new DataFormatException(jsonPath, $"{where}.file_path is not a non-empty string");
                }

                if (!Path.HasExtension(file))
                {
                    file += ".png";
                }

                string imagePath;
                try
                {
                    imagePath = Path.GetFullPath(Path.Combine(dataDir, file));
                }
                catch (Exception e) when (e is ArgumentException or PathTooLongException or NotSupportedException)
                {
                    throw new DataFormatException(jsonPath, $"{where}.file_path is not a usable path: {e.Message}", e);
                }

                frames.Add(new Frame(index, imagePath, ReadPose(frame, jsonPath, where)));
                index++;
            }

            return (cameraAngleX, frames);
        }
    }

    /// <summary>transform_matrix: 4 rows of 4 numbers; the top 3 rows are the camera-to-world pose.</summary>
    private static Pose ReadPose(JsonElement frame, string jsonPath, string where)
    {
        if (!frame.TryGetProperty("transform_matrix", out JsonElement matrix))
        {
            throw new DataFormatException(jsonPath, $"{where}: missing key 'transform_matrix'");
        }

        string problem = $"{where}.transform_matrix is not a 4x4 array of numbers";
        if (matrix.ValueKind != JsonValueKind.Array || matrix.GetArrayLength() != 4)
        {
            throw new DataFormatException(jsonPath, problem);
        }

        Span<double> values = stackalloc double[12];
        int row = 0;
        foreach (JsonElement rowElement in matrix.EnumerateArray())
        {
            if (rowElement.ValueKind != JsonValueKind.Array || rowElement.GetArrayLength() != 4)
            {
                throw new DataFormatException(jsonPath, problem);
            }

            int col = 0;
            foreach (JsonElement value in rowElement.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number || !double.IsFinite(value.GetDouble()))
                {
                    throw new DataFormatException(jsonPath, problem + " (finite)");
                }

                if (row < 3)
                {
                    values[(row * 4) + col] = value.GetDouble();
                }

                col++;
            }

            row++;
        }

        return new Pose(values);
    }

    private static double GetNumber(JsonElement parent, string key, string jsonPath)
    {
        if (!parent.TryGetProperty(key, out JsonElement element))
        {
            throw new DataFormatException(jsonPath, $"missing key '{key}'");
        }

        if (element.ValueKind != JsonValueKind.Number || !double.IsFinite(element.GetDouble()))
        {
            throw new DataFormatException(jsonPath, $"'{key}' is not a finite number");
        }

        return element.GetDouble();
    }

    /// <summary>One entry of frames[]: its index in the file, the image's full path, its camera-to-world pose.</summary>
    private sealed record Frame(int Index, string ImagePath, Pose CameraToWorld);
}
