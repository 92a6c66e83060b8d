using System.CommandLine;
using NerfSharp.Data.Processing;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf process images DIR --out SCENE</c> and <c>nerf process video FILE --out SCENE [--frames N]</c>: COLMAP (CPU) turns
/// photos or video frames into a scene folder with transforms.json, sparse/0 and images_2/4/8 that <c>nerf train --data</c> reads.
/// </summary>
public static class ProcessCommand
{
    /// <summary>What <c>nerf process</c> without a known subcommand says.</summary>
    public const string Usage = "usage: nerf process images DIR --out SCENE | nerf process video FILE --out SCENE [--frames N]";

    /// <summary>The <c>process</c> command and its <c>images</c> and <c>video</c> subcommands.</summary>
    public static Command Create(CliContext ctx)
    {
        var command = new Command("process", CommandHelp.Describe(
            "Turn photos or a video into a scene folder with COLMAP (CPU): transforms.json, sparse/0, images_2/4/8.",
            ["nerf process images ~/photos/statue --out scenes/statue", "nerf process video ~/clip.mp4 --out scenes/clip --frames 150"]))
        {
            Images(ctx),
            Video(ctx),
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(new Func<ParseResult, int>(_ => throw new ArgumentException(Usage)));
        return command;
    }

    private static Command Images(CliContext ctx)
    {
        var folder = new Argument<string>("DIR") { Description = "folder of photos (JPEG or PNG)" };
        var output = CliOptions.RequiredText("--out", "scene folder to write", "SCENE");
        var frames = CliOptions.Int("--frames", "unused for photos", 150);
        frames.Hidden = true;
        var command = new Command("images", CommandHelp.Describe(
            "Register a folder of photos with COLMAP into a scene folder.",
            ["nerf process images ~/photos/statue --out scenes/statue"]))
        {
            folder, output, frames,
        };
        command.SetAction(parse => Run(video: false, parse.GetValue(folder)!, parse.GetValue(output)!, 0, ctx));
        return command;
    }

    private static Command Video(CliContext ctx)
    {
        var file = new Argument<string>("FILE") { Description = "video file (anything ffmpeg reads)" };
        var output = CliOptions.RequiredText("--out", "scene folder to write", "SCENE");
        var frames = CliOptions.Int("--frames", "frames to keep (evenly spread, the sharper of each pair)", 150);
        var command = new Command("video", CommandHelp.Describe(
            "Extract sharp frames from a video with ffmpeg, then register them with COLMAP.",
            ["nerf process video ~/clip.mp4 --out scenes/clip --frames 150"]))
        {
            file, output, frames,
        };
        command.SetAction(parse => Run(video: true, parse.GetValue(file)!, parse.GetValue(output)!, parse.GetValue(frames), ctx));
        return command;
    }

    /// <summary>Processes photos (or a video's frames) into <paramref name="output"/>.</summary>
    public static int Run(bool video, string input, string output, int frames, CliContext ctx)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ProcessResult result;
        using (var progress = new ConsoleProgress(ctx, video ? "process video" : "process images"))
        {
            result = video
                ? CaptureProcessor.ProcessVideo(input, output, frames, progress.Status)
                : CaptureProcessor.ProcessImages(input, output, progress.Status);
        }

        ctx.Out.WriteLine($"registered {result.Registered} of {result.Inputs} images, mean reprojection error {result.MeanReprojectionError:F3} px, {watch.Elapsed.TotalSeconds:F0} s; scene in {output} (nerf train --data {output})");
        return 0;
    }
}
