using NerfSharp.Imaging;

namespace NerfSharp.Runs;

/// <summary>
/// Where and what a path render writes. <see cref="Output"/> is a folder (PNG frames NNN_rgb.png, NNN_depth.png, NNN_acc.png,
/// NNN_disp.png, the path as camera_path.json, and with <see cref="Video"/> video.mp4, video_depth.mp4, ...) or a file
/// ending in .mp4 (videos only: the first chosen output there, the others beside it as NAME_depth.mp4, ...).
/// </summary>
public sealed record PathRenderSettings(string Output)
{
    public RenderOutputs Outputs { get; init; } = RenderOutputs.Default;

    /// <summary>The colour map of depth frames.</summary>
    public ColorMap ColorMap { get; init; } = ColorMap.Turbo;

    /// <summary>Whether to encode videos as well as PNG frames (always on when <see cref="Output"/> is an .mp4 file).</summary>
    public bool Video { get; init; }

    /// <summary>Whether <see cref="Output"/> names a video file rather than a folder.</summary>
    public bool OutputIsVideoFile => Output.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase);
}
