using System.CommandLine;
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
    /// <summary>The <c>render</c> command.</summary>
    public static Command Create(CliContext ctx)
    {
        var run = CliOptions.RequiredText("--run", "run folder (its last checkpoint renders)", "RUN");
        var path = CliOptions.TextWithDefault("--path", "camera path: spiral (nerf-pytorch's 360-degree path), orbit, interpolate (through the training cameras), a split's cameras, or a nerfstudio camera_path.json", "spiral", "spiral|orbit|interpolate|test|val|train|FILE.json");
        var output = CliOptions.Text("--out", "folder for the frames, or FILE.mp4 for videos only (default: RUN/render_PATH_STEP)", "DIR|FILE.mp4");
        var video = CliOptions.Flag("--video", "also write mp4 videos of the outputs (ffmpeg)");
        var frames = CliOptions.OptionalInt("--frames", "frames of a generated path (default 40, or fps x seconds)");
        var factor = CliOptions.Int("--render-factor", "downscale the views by this factor (0: full size; nerf-pytorch's render_factor)", 0, "--render_factor");
        var downscale = CliOptions.Int("--downscale", "downscale the views by this factor", 1);
        var radius = CliOptions.Double("--radius", "spiral radius", 4.0);
        var phi = CliOptions.Double("--phi", "spiral elevation in degrees", -30.0);
        var fps = CliOptions.OptionalDouble("--fps", "video frame rate (default 30, or the camera path file's)", "FPS");
        var seconds = CliOptions.OptionalDouble("--seconds", "length of a generated or resampled path", "S");
        var resolution = CliOptions.Text("--resolution", "output size, keeping the vertical field of view", "WxH");
        var outputs = CliOptions.Text("--outputs", "what to write per frame (default rgb,depth,accumulation)", "rgb,depth,accumulation,disparity");
        var colormap = CliOptions.TextWithDefault("--colormap", "colour map of depth", "turbo", "turbo|viridis");
        var transforms = CliOptions.Text("--dataparser-transforms", "a nerfstudio run's dataparser_transforms.json: FILE.json is in that run's frame", "FILE", "--dataparser_transforms");
        var command = new Command("render", CommandHelp.Describe(
            "Render a camera path of a trained run to RGB, depth and accumulation PNGs (and mp4).",
            [
                "nerf render --run runs/lego --path spiral --out runs/lego/spiral --video",
                "nerf render --run runs/lego --path orbit --seconds 8 --fps 30 --resolution 960x540 --video",
                "nerf render --run runs/lego --path camera_path.json --out lego.mp4",
            ]))
        {
            run, path, output, video, frames, factor, downscale, radius, phi, fps, seconds, resolution, outputs, colormap, transforms,
        };
        command.SetAction(parse => Run(
            new RenderRequest(
                parse.GetValue(run)!, parse.GetValue(path)!, parse.GetValue(output), parse.GetValue(video), parse.GetValue(frames),
                parse.GetValue(factor), parse.GetValue(downscale), parse.GetValue(radius), parse.GetValue(phi), parse.GetValue(fps),
                parse.GetValue(seconds), parse.GetValue(resolution), parse.GetValue(outputs), parse.GetValue(colormap)!, parse.GetValue(transforms)),
            ctx));
        return command;
    }

    /// <summary>Renders the request's path with its run's last checkpoint.</summary>
    public static int Run(RenderRequest r, CliContext ctx)
    {
        if (r.Frames < 1 || r.Fps is not null and not > 0 || r.Seconds is not null and not > 0 || r.Factor < 0 || r.Downscale < 1)
        {
            throw new ArgumentException($"--frames, --fps, --seconds and --downscale expect positive values and --render-factor at least 0, got {r.Frames}, {r.Fps}, {r.Seconds}, {r.Downscale} and {r.Factor}");
        }

        var options = new RenderPathOptions
        {
            Frames = r.Frames, Fps = r.Fps, Seconds = r.Seconds, Radius = r.Radius, Phi = r.Phi,
            Resolution = r.Resolution is null ? null : ParseResolution(r.Resolution), Downscale = r.Downscale * Math.Max(1, r.Factor),
            NerfstudioTransform = r.DataparserTransforms is null ? null : NerfstudioWorldTransform.Read(r.DataparserTransforms),
        };
        var settings = new PathRenderSettings("")
        {
            Outputs = r.Outputs is null ? RenderOutputs.Default : RenderOutputsExtensions.Parse(r.Outputs),
            ColorMap = ColorMaps.Parse(r.ColorMap),
            Video = r.Video,
        };
        if (RenderPaths.IsFile(r.Path) && !File.Exists(r.Path))
        {
            throw new FileNotFoundException($"{r.Path}: the camera path file does not exist", r.Path);
        }

        TrainedRun run = TrainedRun.Open(r.RunDir);
        string name = RenderPaths.IsFile(r.Path) ? Path.GetFileNameWithoutExtension(r.Path) : r.Path;
        string output = r.Output ?? Path.Combine(run.Folder.Path, $"render_{name}_{run.Step:D6}");
        DataParserOutput reference = DatasetLoader.Load(run.Config.Data, RenderPaths.ReferenceSplit(r.Path));
        RenderPathCameras cameras = RenderPaths.Resolve(reference, r.Path, options);
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
        using var progress = new ConsoleProgress(ctx, $"render {cameras.Name}");
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
