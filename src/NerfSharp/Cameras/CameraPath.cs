namespace NerfSharp.Cameras;

/// <summary>
/// A camera path as nerfstudio's camera_path.json holds it: output size, frame rate and length, the keyframes the path
/// goes through (with nerfstudio's default field of view and transition time, loop flag and spline tension, which the
/// file calls <c>smoothness_value</c>) and, when the file has one, the list of rendered cameras (<c>camera_path</c>),
/// one per output frame. Poses are camera-to-world, OpenGL camera, in the world frame of the run they render.
/// </summary>
public sealed record CameraPath(int RenderWidth, int RenderHeight, double Fps, double Seconds)
{
    public IReadOnlyList<CameraPathKeyframe> Keyframes { get; init; } = [];

    /// <summary>The cameras of the output frames in order; empty when the file has keyframes only.</summary>
    public IReadOnlyList<CameraPathPose> Frames { get; init; } = [];

    public double DefaultFovDegrees { get; init; } = 75;

    public double DefaultTransitionSeconds { get; init; } = 2;

    public bool IsCycle { get; init; }

    /// <summary>Kochanek-Bartels tension of the keyframe spline, in [0, 1] (<c>smoothness_value</c>).</summary>
    public double Tension { get; init; }

    /// <summary>nerfstudio's camera type; only "perspective" is rendered.</summary>
    public string CameraType { get; init; } = "perspective";

    /// <summary>The most frames a path may ask for (a day at 10 fps; guards against a typo allocating millions of cameras).</summary>
    public const int MaxFrames = 864_000;

    /// <summary>The number of frames fps x seconds asks for (rounded, at least 1, at most <see cref="MaxFrames"/>).</summary>
    public static int FrameCount(double fps, double seconds)
    {
        double n = Math.Round(fps * seconds);
        if (!(n <= MaxFrames))
        {
            throw new ArgumentException($"{fps} fps x {seconds} s asks for {n} frames; at most {MaxFrames} are allowed");
        }

        return Math.Max(1, (int)n);
    }

    /// <summary>
    /// The output frames' cameras: the file's own list when it has one and no other count, rate or length is asked for;
    /// otherwise frames sampled evenly in time from the keyframes (<see cref="KeyframeSpline"/>; a file with no keyframes
    /// uses its camera list as keyframes): <paramref name="frames"/> of them, else <see cref="FrameCount"/>(fps, seconds).
    /// </summary>
    public IReadOnlyList<CameraPathPose> Resolve(double? fps = null, double? seconds = null, int? frames = null)
    {
        double rate = fps ?? Fps, length = seconds ?? Seconds;
        int count = frames ?? FrameCount(rate, length);
        bool asked = fps is not null || seconds is not null || frames is not null;
        if (Frames.Count > 0 && (!asked || count == Frames.Count))
        {
            return Frames;
        }

        IReadOnlyList<CameraPathKeyframe> keys = Keyframes.Count > 0
            ? Keyframes
            : Frames.Select(f => new CameraPathKeyframe(f.CameraToWorld, f.VerticalFovDegrees, f.Aspect)).ToList();
        if (keys.Count == 0)
        {
            throw new InvalidOperationException("the camera path has neither keyframes nor cameras");
        }

        double transition = Keyframes.Count > 0 ? DefaultTransitionSeconds : 1.0;
        var spline = new KeyframeSpline(keys, transition, IsCycle && Keyframes.Count > 0, Tension);
        return spline.Sample(count);
    }
}
