using NerfSharp.Cameras;

namespace NerfSharp.Runs;

/// <summary>
/// How to turn a path name into cameras: the number of frames or the length in seconds at a frame rate (explicit
/// <see cref="Frames"/> wins, then fps x seconds, then the path's own count), nerf-pytorch's spiral radius and elevation,
/// and the output size: <see cref="Resolution"/> (width, height; the vertical field of view is kept) then divided by
/// <see cref="Downscale"/>.
/// </summary>
public sealed record RenderPathOptions
{
    /// <summary>Frames of the generated paths (spiral, orbit, interpolate) when neither frames nor seconds are given.</summary>
    public const int DefaultFrames = 40;

    public const double DefaultFps = 30;

    public int? Frames { get; init; }

    public double? Fps { get; init; }

    public double? Seconds { get; init; }

    public double Radius { get; init; } = 4.0;

    public double Phi { get; init; } = -30.0;

    public (int Width, int Height)? Resolution { get; init; }

    public int Downscale { get; init; } = 1;

    /// <summary>
    /// For a camera-path file made in nerfstudio: its dataparser_transforms.json, to map the file's poses from nerfstudio's
    /// training frame to the dataset's own (null: the file's poses are in the run's world already).
    /// </summary>
    public NerfstudioWorldTransform? NerfstudioTransform { get; init; }

    /// <summary>The frame count of a generated path: <see cref="Frames"/>, else fps x seconds, else <see cref="DefaultFrames"/>.</summary>
    public int GeneratedFrameCount => Frames ?? (Seconds is double s ? CameraPath.FrameCount(Fps ?? DefaultFps, s) : DefaultFrames);
}
