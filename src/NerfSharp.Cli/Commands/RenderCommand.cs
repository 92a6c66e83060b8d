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
    public static int Run(CliArguments args, CliContext ctx)
    {
        string runDir = args.Take("run") ?? throw new ArgumentException("nerf render needs --run DIR");
        string path = args.Take("path") ?? "spiral";
        bool video = args.Flag("video");
        int frames = args.Int("frames") ?? 40;
        int factor = args.Int("render-factor", "render_factor") ?? 0;
        double radius = args.Double("radius") ?? 4.0;
        double phi = args.Double("phi") ?? -30.0;
        int fps = args.Int("fps") ?? 30;
        if (frames < 1 || fps < 1 || factor < 0)
        {
            throw new ArgumentException($"--frames and --fps expect at least 1 and --render-factor at least 0, got {frames}, {fps} and {factor}");
        }
        TrainedRun run = TrainedRun.Open(runDir);
        string output = args.Take("out") ?? Path.Combine(run.Folder.Path, $"render_{path}_{run.Step:D6}");
        args.EnsureAllUsed("render");
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
        var progress = new ConsoleProgress(ctx.Error, $"render {path}", ctx.Interactive);
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
