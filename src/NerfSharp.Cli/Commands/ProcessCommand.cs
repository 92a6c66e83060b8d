using NerfSharp.Data.Processing;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf process images DIR --out SCENE</c> and <c>nerf process video FILE --out SCENE [--frames N]</c>: COLMAP (CPU) turns
/// photos or video frames into a scene folder with transforms.json, sparse/0 and images_2/4/8 that <c>nerf train --data</c> reads.
/// </summary>
public static class ProcessCommand
{
    public static int Run(string[] args, CliContext ctx)
    {
        if (args.Length < 2 || args[0] is not ("images" or "video"))
        {
            throw new ArgumentException("usage: nerf process images DIR --out SCENE | nerf process video FILE --out SCENE [--frames N]");
        }

        var rest = new CliArguments(args[2..]);
        string output = rest.Take("out") ?? throw new ArgumentException("nerf process needs --out SCENE");
        int frames = rest.Int("frames") ?? 150;
        rest.EnsureAllUsed("process");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        void Progress(string line) => ctx.Error.WriteLine($"[{watch.Elapsed.TotalSeconds,6:F1} s] {line}");
        ProcessResult result = args[0] == "images"
            ? CaptureProcessor.ProcessImages(args[1], output, Progress)
            : CaptureProcessor.ProcessVideo(args[1], output, frames, Progress);
        ctx.Out.WriteLine($"registered {result.Registered} of {result.Inputs} images, mean reprojection error {result.MeanReprojectionError:F3} px, {watch.Elapsed.TotalSeconds:F0} s; scene in {output} (nerf train --data {output})");
        return 0;
    }
}
