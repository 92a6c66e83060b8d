using System.CommandLine;
using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Imaging;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Runs;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf render --run DIR --path spiral|test|val|train --out DIR [--video]</c>: renders a camera path
/// (the 360-degree spiral of nerf-pytorch's render_poses, or a split's cameras) to RGB, disparity and
/// accumulation PNGs, and with --video to video.mp4 and video_disp.mp4 through ffmpeg.
/// </summary>
public static class RenderCommand
{
    /// <summary>The <c>render</c> command.</summary>
    public static Command Create(CliContext ctx)
    {
        var run = CliOptions.RequiredText("--run", "run folder (its last checkpoint renders)", "RUN");
        var path = CliOptions.TextWithDefault("--path", "camera path: nerf-pytorch's 360-degree spiral or a split's cameras", "spiral", "spiral|test|val|train");
        var output = CliOptions.Text("--out", "folder for the frames (default: RUN/render_PATH_STEP)", "DIR");
        var video = CliOptions.Flag("--video", "also write video.mp4 and video_disp.mp4 (ffmpeg)");
        var frames = CliOptions.Int("--frames", "frames of the spiral", 40);
        var factor = CliOptions.Int("--render-factor", "downscale the views by this factor (0: full size)", 0, "--render_factor");
        var radius = CliOptions.Double("--radius", "spiral radius", 4.0);
        var phi = CliOptions.Double("--phi", "spiral elevation in degrees", -30.0);
        var fps = CliOptions.Int("--fps", "video frame rate", 30);
        var command = new Command("render", CommandHelp.Describe(
            "Render a camera path of a trained run to RGB, disparity and accumulation PNGs (and mp4).",
            ["nerf render --run runs/lego --path spiral --out runs/lego/spiral --video", "nerf render --run runs/lego --path test --render-factor 2"]))
        {
            run, path, output, video, frames, factor, radius, phi, fps,
        };
        command.SetAction(parse => Run(
            parse.GetValue(run)!, parse.GetValue(path)!, parse.GetValue(output), parse.GetValue(video), parse.GetValue(frames),
            parse.GetValue(factor), parse.GetValue(radius), parse.GetValue(phi), parse.GetValue(fps), ctx));
        return command;
    }

    /// <summary>Renders <paramref name="path"/> with <paramref name="runDir"/>'s last checkpoint.</summary>
    public static int Run(string runDir, string path, string? outputDir, bool video, int frames, int factor, double radius, double phi, int fps, CliContext ctx)
    {
        if (frames < 1 || fps < 1 || factor < 0)
        {
            throw new ArgumentException($"--frames and --fps expect at least 1 and --render-factor at least 0, got {frames}, {fps} and {factor}");
        }

        TrainedRun run = TrainedRun.Open(runDir);
        string output = outputDir ?? Path.Combine(run.Folder.Path, $"render_{path}_{run.Step:D6}");
        RunConfig config = run.Config with { Render = run.Config.Render with { RenderFactor = factor } };
        DataParserOutput reference = DatasetLoader.Load(config.Data, path is "test" or "val" or "train" ? path : "train");
        RenderPath(config, run.Model, reference, path, output, frames, video, ctx, radius, phi, fps);
        return 0;
    }

    /// <summary>Renders a path; shared with training (i_video) and the demo.</summary>
    public static void RenderPath(
        RunConfig config, IRadianceModel model, DataParserOutput reference, string path, string output, int frames, bool video, CliContext ctx,
        double radius = 4.0, double phi = -30.0, int fps = 30)
    {
        List<Camera> cameras = RenderPaths.Select(reference, path, frames, radius, phi);
        int factor = config.Render.RenderFactor;
        if (factor > 1)
        {
            cameras = cameras.Select(c => c with { Intrinsics = c.Intrinsics.Scaled(1.0 / factor) }).ToList();
        }

        Directory.CreateDirectory(output);
        var renderer = new ImageRenderer(model, config.Trainer.Chunk, reference.Background.ToRgb());
        var rgbFrames = new List<Image>(cameras.Count);
        var dispFrames = new List<Image>(cameras.Count);
        using var progress = new ConsoleProgress(ctx, $"render {path}");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < cameras.Count; i++)
        {
            RenderedImage r = renderer.Render(cameras[i], reference.Near, reference.Far, reference.Ndc ? ray => reference.ToTrainingSpace(ray) : null);
            Image disp = r.DisparityImage();
            PngEncoder.Write(Path.Combine(output, $"{i:D3}_rgb.png"), r.Rgb);
            PngEncoder.Write(Path.Combine(output, $"{i:D3}_disp.png"), disp);
            PngEncoder.Write(Path.Combine(output, $"{i:D3}_acc.png"), r.AccumulationImage());
            rgbFrames.Add(r.Rgb);
            dispFrames.Add(disp);
            progress.Report(i + 1, cameras.Count, watch.Elapsed.TotalSeconds, i + 1);
        }

        progress.Finish();
        ctx.Out.WriteLine($"rendered {cameras.Count} {path} views ({cameras[0].Intrinsics.Width}x{cameras[0].Intrinsics.Height}) to {output}");
        if (video)
        {
            string rgbVideo = Path.Combine(output, "video.mp4");
            VideoEncoder.WriteMp4(rgbVideo, rgbFrames, fps);
            VideoEncoder.WriteMp4(Path.Combine(output, "video_disp.mp4"), dispFrames, fps);
            ctx.Out.WriteLine($"video: {rgbVideo}");
        }
    }
}
