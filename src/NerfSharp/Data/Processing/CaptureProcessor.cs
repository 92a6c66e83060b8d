using System.Diagnostics;
using System.Globalization;
using NerfSharp.Imaging;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SharpImage = SixLabors.ImageSharp.Image;

namespace NerfSharp.Data.Processing;

/// <summary>What <see cref="CaptureProcessor"/> produced: the registered and input image counts, the mean reprojection error (pixels) and the model used.</summary>
public sealed record ProcessResult(int Registered, int Inputs, double MeanReprojectionError, string ModelFolder, string TransformsPath);

/// <summary>
/// Turns raw photos or a video into a trainable scene (nerfstudio's ns-process-data, in C#): images copied (or frames extracted
/// with ffmpeg: evenly spread, the blurrier of each pair dropped when the video has at least twice the frames asked for),
/// COLMAP on the CPU (feature_extractor with one shared OPENCV camera, exhaustive_matcher for photos or sequential_matcher for
/// video, mapper), the largest model converted to transforms.json (normalised world, per-frame intrinsics and distortion) plus
/// downscaled copies images_2, images_4, images_8. COLMAP's and ffmpeg's output lines are passed to a progress callback.
/// </summary>
public static class CaptureProcessor
{
    /// <summary>Fewer registered images than this (or than half the inputs) is a failure.</summary>
    public const int MinimumRegistered = 3;

    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG"];

    /// <summary>Processes a folder of photos into <paramref name="sceneDir"/>.</summary>
    public static ProcessResult ProcessImages(string imageDir, string sceneDir, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (!Directory.Exists(imageDir))
        {
            throw new DataFormatException(imageDir, "image folder does not exist");
        }

        string colmap = Require("colmap", "COLMAP is needed for `nerf process`: install it with `apt-get install colmap` (CPU build is fine)");
        string[] inputs = [.. Directory.GetFiles(imageDir).Where(f => ImageExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal)];
        if (inputs.Length < MinimumRegistered)
        {
            throw new DataFormatException(imageDir, $"has {inputs.Length} JPEG/PNG images; at least {MinimumRegistered} are needed");
        }

        string images = Path.Combine(sceneDir, "images");
        Directory.CreateDirectory(images);
        foreach (string f in inputs)
        {
            string target = Path.Combine(images, Path.GetFileName(f));
            byte[] bytes = File.ReadAllBytes(f);
            if (bytes.Length > 2 && bytes[0] == 0xFF && bytes[1] == 0xD8 && JpegInfo.Parse(bytes, f).Orientation != 1)
            {
                // COLMAP reads stored pixels, the loaders apply EXIF orientation: store the photo upright.
                using var upright = SharpImage.Load<Rgb24>(bytes);
                upright.Mutate(x => x.AutoOrient());
                upright.Metadata.ExifProfile = null;
                using var stream = File.Create(target);
                upright.Save(stream, new JpegEncoder { Quality = 95 });
            }
            else
            {
                File.WriteAllBytes(target, bytes);
            }
        }

        progress($"copied {inputs.Length} images to {images}");
        return Reconstruct(colmap, sceneDir, inputs.Length, sequential: false, progress);
    }

    /// <summary>Processes a video: about <paramref name="frames"/> frames extracted with ffmpeg, then as photos (sequential matching).</summary>
    public static ProcessResult ProcessVideo(string videoPath, string sceneDir, int frames, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, MinimumRegistered);
        if (!File.Exists(videoPath))
        {
            throw new DataFormatException(videoPath, "video file does not exist");
        }

        string ffmpeg = Require("ffmpeg", "ffmpeg is needed for `nerf process video`: install it with `apt-get install ffmpeg`");
        string colmap = Require("colmap", "COLMAP is needed for `nerf process`: install it with `apt-get install colmap` (CPU build is fine)");
        string ffprobe = Require("ffprobe", "ffprobe (part of ffmpeg) is needed for `nerf process video`: install it with `apt-get install ffmpeg`");
        string count = RunTool(ffprobe, ["-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", videoPath], null).Trim();
        if (!int.TryParse(count.Split('\n')[0].Trim().TrimEnd(','), NumberStyles.Integer, CultureInfo.InvariantCulture, out int total) || total <= 0)
        {
            throw new DataFormatException(videoPath, $"ffprobe finds no video frames ({count})");
        }

        // Twice the frames asked for (when the video has them), then keep the sharper of each consecutive pair.
        int candidates = Math.Min(total, 2 * frames);
        string raw = Path.Combine(sceneDir, "frames_raw");
        Directory.CreateDirectory(raw);
        string select = string.Create(CultureInfo.InvariantCulture, $"select='eq(n\\,0)+gte(floor(n*{candidates}/{total})-floor((n-1)*{candidates}/{total})\\,1)'");
        progress($"extracting {candidates} of {total} frames with ffmpeg");
        RunTool(ffmpeg, ["-v", "error", "-y", "-i", videoPath, "-vf", select, "-vsync", "vfr", "-q:v", "2", Path.Combine(raw, "frame_%05d.jpg")], progress);
        string[] extracted = [.. Directory.GetFiles(raw, "*.jpg").Order(StringComparer.Ordinal)];
        var keep = new List<string>();
        if (extracted.Length > frames)
        {
            double[] sharpness = new double[extracted.Length];
            Parallel.For(0, extracted.Length, i => sharpness[i] = Sharpness(ImageFile.Read(extracted[i])));
            for (int i = 0; i < extracted.Length; i += 2)
            {
                keep.Add(i + 1 < extracted.Length && sharpness[i + 1] > sharpness[i] ? extracted[i + 1] : extracted[i]);
            }

            progress($"kept the sharper frame of each pair: {keep.Count} frames");
        }
        else
        {
            keep.AddRange(extracted);
        }

        string images = Path.Combine(sceneDir, "images");
        Directory.CreateDirectory(images);
        for (int i = 0; i < keep.Count; i++)
        {
            File.Move(keep[i], Path.Combine(images, string.Create(CultureInfo.InvariantCulture, $"frame_{i:D5}.jpg")), overwrite: true);
        }

        Directory.Delete(raw, recursive: true);
        return Reconstruct(colmap, sceneDir, keep.Count, sequential: true, progress);
    }

    /// <summary>Variance of the 4-neighbour Laplacian of the luminance: larger is sharper.</summary>
    public static double Sharpness(Image image)
    {
        int w = image.Width, h = image.Height, c = image.Channels;
        float Lum(int x, int y) => c >= 3 ? (0.299f * image[x, y, 0]) + (0.587f * image[x, y, 1]) + (0.114f * image[x, y, 2]) : image[x, y, 0];
        double sum = 0, sumSq = 0;
        long n = 0;
        for (int y = 1; y < h - 1; y++)
        {
            for (int x = 1; x < w - 1; x++)
            {
                double l = Lum(x - 1, y) + Lum(x + 1, y) + Lum(x, y - 1) + Lum(x, y + 1) - (4 * Lum(x, y));
                sum += l;
                sumSq += l * l;
                n++;
            }
        }

        return n == 0 ? 0 : (sumSq / n) - ((sum / n) * (sum / n));
    }

    private static ProcessResult Reconstruct(string colmap, string sceneDir, int inputs, bool sequential, Action<string> progress)
    {
        string images = Path.Combine(sceneDir, "images");
        string work = Path.Combine(sceneDir, "colmap");
        string database = Path.Combine(work, "database.db");
        string sparse = Path.Combine(sceneDir, "sparse");
        Directory.CreateDirectory(work);
        if (File.Exists(database))
        {
            File.Delete(database);
        }

        if (Directory.Exists(sparse))
        {
            Directory.Delete(sparse, recursive: true);
        }

        Directory.CreateDirectory(sparse);
        progress("COLMAP: feature extraction (CPU)");
        RunTool(colmap, ["feature_extractor", "--database_path", database, "--image_path", images, "--ImageReader.single_camera", "1",
            "--ImageReader.camera_model", "OPENCV", "--SiftExtraction.use_gpu", "0", "--SiftExtraction.num_threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)], progress);
        progress($"COLMAP: {(sequential ? "sequential" : "exhaustive")} matching");
        RunTool(colmap, [sequential ? "sequential_matcher" : "exhaustive_matcher", "--database_path", database, "--SiftMatching.use_gpu", "0"], progress);
        progress("COLMAP: mapping");
        int needed = Math.Max(MinimumRegistered, (inputs + 1) / 2);
        RunTool(colmap, ["mapper", "--database_path", database, "--image_path", images, "--output_path", sparse,
            "--Mapper.min_model_size", Math.Min(10, needed).ToString(CultureInfo.InvariantCulture)], progress);

        // The largest model, renamed sparse/0 so the scene also reads as a COLMAP folder.
        string? best = null;
        int bestCount = 0;
        foreach (string dir in Directory.GetDirectories(sparse))
        {
            if (ColmapModel.Exists(dir))
            {
                int n = ColmapModel.Read(dir).Images.Count;
                if (n > bestCount)
                {
                    (best, bestCount) = (dir, n);
                }
            }
        }

        if (best is null || bestCount < needed)
        {
            throw new DataFormatException(sceneDir, $"COLMAP registered only {bestCount} of {inputs} images (at least {needed} needed): take more overlapping, sharper photos with texture");
        }

        string model = Path.Combine(sparse, "0");
        if (!string.Equals(Path.GetFullPath(best), Path.GetFullPath(model), StringComparison.Ordinal))
        {
            string temp = Path.Combine(sparse, "largest");
            Directory.Move(best, temp);
            if (Directory.Exists(model))
            {
                Directory.Move(model, Path.Combine(sparse, "other_0"));
            }

            Directory.Move(temp, model);
        }

        ColmapModel colmapModel = ColmapModel.Read(model);
        double meanError = colmapModel.Points.Count == 0 ? double.NaN : colmapModel.Points.Average(p => p.Error);
        DataParserOutput all = ColmapParser.Load(sceneDir, new ColmapOptions(new CaptureOptions("all", LoadImages: false)));
        string transforms = Path.Combine(sceneDir, "transforms.json");
        TransformsJsonWriter.Write(transforms, all.Cameras, all.ImagePaths);
        progress($"registered {bestCount} of {inputs} images, mean reprojection error {meanError:F3} px; wrote {transforms}");

        foreach (int factor in new[] { 2, 4, 8 })
        {
            WriteDownscaled(images, Path.Combine(sceneDir, $"images_{factor}"), factor);
        }

        progress("wrote images_2, images_4, images_8");
        return new ProcessResult(bestCount, inputs, meanError, model, transforms);
    }

    private static void WriteDownscaled(string source, string target, int factor)
    {
        Directory.CreateDirectory(target);
        string[] files = [.. Directory.GetFiles(source).Where(f => ImageExtensions.Contains(Path.GetExtension(f)))];
        Parallel.ForEach(files, file =>
        {
            using var image = SharpImage.Load<Rgb24>(File.ReadAllBytes(file));
            image.Mutate(x => x.AutoOrient().Resize(Math.Max(1, image.Width / factor), Math.Max(1, image.Height / factor), KnownResamplers.Box));
            using var stream = File.Create(Path.Combine(target, Path.GetFileName(file)));
            if (Path.GetExtension(file).Equals(".png", StringComparison.OrdinalIgnoreCase))
            {
                image.Save(stream, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
            }
            else
            {
                image.Save(stream, new JpegEncoder { Quality = 95 });
            }
        });
    }

    private static string Require(string tool, string message) =>
        FindExecutable(tool) ?? throw new InvalidOperationException(message);

    private static string? FindExecutable(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string full = Path.Combine(dir, name);
            if (File.Exists(full))
            {
                return full;
            }
        }

        return null;
    }

    /// <summary>Runs a tool, passing each output line to <paramref name="progress"/>; returns stdout; a failure throws with the last lines.</summary>
    private static string RunTool(string tool, string[] args, Action<string>? progress)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        // COLMAP's Qt build wants a display unless told otherwise.
        start.Environment["QT_QPA_PLATFORM"] = "offscreen";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var tail = new Queue<string>();
        var stdout = new System.Text.StringBuilder();
        void OnLine(string? line, bool isStdout)
        {
            if (line is null)
            {
                return;
            }

            lock (tail)
            {
                if (isStdout)
                {
                    stdout.AppendLine(line);
                }

                tail.Enqueue(line);
                if (tail.Count > 15)
                {
                    tail.Dequeue();
                }

                if (progress is not null && line.Length > 0)
                {
                    progress("  " + line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data, true);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(tool)} {args[0]} failed (exit code {process.ExitCode}):\n{string.Join('\n', tail)}");
        }

        return stdout.ToString();
    }
}
