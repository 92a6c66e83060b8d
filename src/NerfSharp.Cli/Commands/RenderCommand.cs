using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Models;
using NerfSharp.Runs;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf render --run DIR --path spiral|orbit|interpolate|test|val|train|FILE.json [--resolution WxH] [--downscale N]
/// [--fps F] [--seconds S] [--frames N] [--outputs rgb,depth,accumulation] [--colormap turbo|viridis] [--video]
/// [--out DIR or FILE.mp4] [--dataparser-transforms FILE]</c>: renders a camera path (<see cref="RenderPaths"/>, nerfstudio camera_path.json files included)
/// to PNG frames and, with --video or an .mp4 --out, to MP4 through ffmpeg (<see cref="PathRenderer"/>).
/// </summary>
public static class RenderCommand
{
    public static int Run(CliArguments args, CliContext ctx)
    {
        string runDir = args.Take("run") ?? throw new ArgumentException("nerf render needs --run DIR");
        string path = args.Take("path") ?? "spiral";
        bool video = args.Flag("video");
        int? frames = args.Int("frames");
        int factor = args.Int("render-factor", "render_factor") ?? 0;
        int downscale = args.Int("downscale") ?? 1;
        double radius = args.Double("radius") ?? 4.0;
        double phi = args.Double("phi") ?? -30.0;
        double? fps = args.Double("fps");
        double? seconds = args.Double("seconds");
        string? resolution = args.Take("resolution");
        string? outputs = args.Take("outputs");
        string colormap = args.Take("colormap") ?? "turbo";
        string? nerfstudioTransforms = args.Take("dataparser-transforms", "dataparser_transforms");
        if (frames < 1 || fps is not null and not > 0 || seconds is not null and not > 0 || factor < 0 || downscale < 1)
        {
            throw new ArgumentException($"--frames, --fps, --seconds and --downscale expect positive values and --render-factor at least 0, got {frames}, {fps}, {seconds}, {downscale} and {factor}");
        }

        var options = new RenderPathOptions
        {
            Frames = frames, Fps = fps, Seconds = seconds, Radius = radius, Phi = phi,
            Resolution = resolution is null ? null : ParseResolution(resolution), Downscale = downscale * Math.Max(1, factor),
            NerfstudioTransform = nerfstudioTransforms is null ? null : NerfstudioWorldTransform.Read(nerfstudioTransforms),
        };
        var settings = new PathRenderSettings("")
        {
            Outputs = outputs is null ? RenderOutputs.Default : RenderOutputsExtensions.Parse(outputs),
            ColorMap = ColorMaps.Parse(colormap),
            Video = video,
        };
        if (RenderPaths.IsFile(path) && !File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: the camera path file does not exist", path);
        }

        TrainedRun run = TrainedRun.Open(runDir);
        string name = RenderPaths.IsFile(path) ? Path.GetFileNameWithoutExtension(path) : path;
        string output = args.Take("out") ?? Path.Combine(run.Folder.Path, $"render_{name}_{run.Step:D6}");
        args.EnsureAllUsed("render");
        DataParserOutput reference = DatasetLoader.Load(run.Config.Data, RenderPaths.ReferenceSplit(path));
        RenderPathCameras cameras = RenderPaths.Resolve(reference, path, options);
        Render(run.Config, run.Model, reference, cameras, settings with { Output = output }, ctx);
        return 0;
    }

    /// <summary>Renders a path; shared with training (i_video) and the demo.</summary>
    public static void RenderPath(
        RunConfig config, IRadianceModel model, DataParserOutput reference, string path, string output, int frames, bool video, CliContext ctx,
        double radius = 4.0, double phi = -30.0, int fps = 30)
    {
        var options = new RenderPathOptions { Frames = frames, Radius = radius, Phi = phi, Fps = fps, Downscale = Math.Max(1, config.Render.RenderFactor) };
        Render(config, model, reference, RenderPaths.Resolve(reference, path, options), new PathRenderSettings(output) { Video = video }, ctx);
    }

    private static void Render(RunConfig config, IRadianceModel model, DataParserOutput reference, RenderPathCameras cameras, PathRenderSettings settings, CliContext ctx)
    {
        var progress = new ConsoleProgress(ctx.Error, $"render {cameras.Name}", ctx.Interactive);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var renderer = new PathRenderer(model, config.Trainer.Chunk, reference);
        PathRenderResult result = renderer.Render(cameras, settings, (done, total) => progress.Report(done, total, watch.Elapsed.TotalSeconds, done));
        progress.Finish();
        ctx.Out.WriteLine($"rendered {result.Frames} {cameras.Name} views ({result.Width}x{result.Height}) to {result.FrameFolder ?? settings.Output}");
        foreach (string v in result.Videos)
        {
            ctx.Out.WriteLine($"video: {v}");
        }
    }

    private static (int Width, int Height) ParseResolution(string text)
    {
        string[] parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out int w) && int.TryParse(parts[1], out int h) && w > 0 && h > 0 && w <= 65536 && h <= 65536)
        {
            return (w, h);
        }

        throw new ArgumentException($"--resolution expects WIDTHxHEIGHT such as 960x540, got '{text}'");
    }
}
