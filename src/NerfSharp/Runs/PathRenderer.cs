using NerfSharp.Cameras;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Imaging;
using NerfSharp.Models;

namespace NerfSharp.Runs;

/// <summary>
/// Renders the cameras of a path with a trained model to PNG frames and/or MP4 videos: colour, depth colour-mapped between
/// the reference data's near and far bounds (the expected depth depth / accumulation, fading to the background colour where
/// the accumulation is low, as nerfstudio's depth colour map), accumulation as grey and disparity as grey. Frames go to disk
/// as they are rendered (an .mp4-only render keeps them in a temporary folder beside the file), so memory does not grow
/// with the path's length; videos are encoded from those files (<see cref="VideoEncoder"/>, ffmpeg).
/// </summary>
public sealed class PathRenderer
{
    private readonly ImageRenderer renderer;
    private readonly DataParserOutput reference;

    /// <param name="model">The trained model.</param>
    /// <param name="chunk">Rays per model call.</param>
    /// <param name="reference">The run's reference data: scene bounds, background, NDC mapping.</param>
    public PathRenderer(IRadianceModel model, int chunk, DataParserOutput reference)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reference);
        this.reference = reference;
        renderer = new ImageRenderer(model, chunk, reference.Background.ToRgb());
    }

    /// <summary>
    /// Renders <paramref name="path"/>; <paramref name="onFrame"/> gets (frames done, frame count) after each frame.
    /// Videos play at the path's frame rate (rounded to a whole number, at least 1).
    /// </summary>
    public PathRenderResult Render(RenderPathCameras path, PathRenderSettings settings, Action<int, int>? onFrame = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(settings);
        if (path.Cameras.Count == 0)
        {
            throw new ArgumentException("the path has no cameras");
        }

        if (settings.Outputs == RenderOutputs.None)
        {
            throw new ArgumentException("no render output chosen");
        }

        bool videoOnly = settings.OutputIsVideoFile;
        string folder = videoOnly
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Output)) ?? ".", $".{Path.GetFileName(settings.Output)}.{Environment.ProcessId}.frames")
            : settings.Output;
        Directory.CreateDirectory(folder);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            int digits = Math.Max(3, (path.Cameras.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
            var chosen = RenderOutputsExtensions.Suffixes.Where(s => settings.Outputs.HasFlag(s.Output)).ToList();
            var files = chosen.ToDictionary(s => s.Output, _ => new List<string>(path.Cameras.Count));
            for (int i = 0; i < path.Cameras.Count; i++)
            {
                Camera camera = path.Cameras[i];
                DepthBounds bounds = BoundsNear(reference, camera);
                RenderedImage r = renderer.Render(camera, bounds.Near, bounds.Far, reference.Ndc ? ray => reference.ToTrainingSpace(ray) : null);
                foreach (var (output, suffix) in chosen)
                {
                    string file = Path.Combine(folder, $"{i.ToString("D" + digits, System.Globalization.CultureInfo.InvariantCulture)}_{suffix}.png");
                    PngEncoder.Write(file, FrameImage(r, output, settings.ColorMap));
                    files[output].Add(file);
                }

                onFrame?.Invoke(i + 1, path.Cameras.Count);
            }

            if (!videoOnly && path.Description is not null)
            {
                CameraPathJson.Write(Path.Combine(folder, "camera_path.json"), path.Description);
            }

            var videos = new List<string>();
            if (videoOnly || settings.Video)
            {
                int fps = Math.Max(1, (int)Math.Round(path.Fps));
                for (int c = 0; c < chosen.Count; c++)
                {
                    string video = VideoPath(settings, chosen[c].Output, chosen[c].Suffix, c == 0);
                    VideoEncoder.WriteMp4(video, new PngFrames(files[chosen[c].Output]), fps);
                    videos.Add(video);
                }
            }

            PinholeIntrinsics k = path.Cameras[0].Intrinsics;
            return new PathRenderResult(path.Cameras.Count, k.Width, k.Height, videoOnly ? null : folder, videos, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            if (videoOnly && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// Depth as a colour image: the expected depth depth / accumulation (where accumulation &gt; 1e-6) mapped with t = (d - near) / (far - near)
    /// through <paramref name="map"/>, blended with <paramref name="background"/> by 1 - accumulation.
    /// </summary>
    public static Image DepthImage(RenderedImage r, float near, float far, ColorMap map, (float R, float G, float B) background)
    {
        ArgumentNullException.ThrowIfNull(r);
        var depth = new float[r.Depth.Length];
        for (int p = 0; p < depth.Length; p++)
        {
            float acc = r.Accumulation[p];
            depth[p] = acc > 1e-6f ? r.Depth[p] / acc : far;
        }

        return ColorMaps.Colorize(depth, r.Rgb.Width, r.Rgb.Height, near, Math.Max(far, near), map, r.Accumulation, background);
    }

    private Image FrameImage(RenderedImage r, RenderOutputs output, ColorMap map) => output switch
    {
        RenderOutputs.Rgb => r.Rgb,
        RenderOutputs.Depth => DepthImage(r, reference.Near, reference.Far, map, reference.Background.ToRgb()),
        RenderOutputs.Accumulation => r.AccumulationImage(),
        RenderOutputs.Disparity => r.DisparityImage(),
        _ => throw new ArgumentOutOfRangeException(nameof(output)),
    };

    private static string VideoPath(PathRenderSettings settings, RenderOutputs output, string suffix, bool first)
    {
        if (settings.OutputIsVideoFile)
        {
            string full = Path.GetFullPath(settings.Output);
            return first ? full : Path.Combine(Path.GetDirectoryName(full) ?? ".", $"{Path.GetFileNameWithoutExtension(full)}_{suffix}.mp4");
        }

        return Path.Combine(settings.Output, output == RenderOutputs.Rgb ? "video.mp4" : $"video_{suffix}.mp4");
    }

    /// <summary>Frames read back from their PNG files one at a time, so a video is encoded without holding every frame in memory.</summary>
    private sealed class PngFrames(IReadOnlyList<string> files) : IReadOnlyList<Image>
    {
        public int Count => files.Count;

        public Image this[int index] => PngDecoder.ReadImage(files[index]);

        public IEnumerator<Image> GetEnumerator()
        {
            foreach (string file in files)
            {
                yield return PngDecoder.ReadImage(file);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// The near and far bounds for a path camera: where the data gives per-view bounds (captures: from each camera to the
    /// scene box), those of the training camera nearest to it, since the model was never trained on space in front of a
    /// view's near bound (rendering from the scene-wide minimum would look through that untrained space); else the scene's.
    /// </summary>
    private static DepthBounds BoundsNear(DataParserOutput reference, Camera camera)
    {
        if (reference.ViewBounds is null || reference.Count == 0)
        {
            return new DepthBounds(reference.Near, reference.Far);
        }

        var (x, y, z) = camera.CameraToWorld.Origin;
        int best = 0;
        double bestDistance = double.MaxValue;
        for (int v = 0; v < reference.Count; v++)
        {
            var (a, b, c) = reference.Cameras[v].CameraToWorld.Origin;
            double d = ((a - x) * (a - x)) + ((b - y) * (b - y)) + ((c - z) * (c - z));
            if (d < bestDistance)
            {
                bestDistance = d;
                best = v;
            }
        }

        return reference.BoundsOf(best);
    }
}
