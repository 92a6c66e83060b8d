using NerfSharp.Cameras;
using NerfSharp.Data;
using NerfSharp.Numerics;

namespace NerfSharp.Runs;

/// <summary>
/// The cameras a render path names, from the reference data of a run:
/// <c>test</c>, <c>val</c>, <c>train</c>: the split's own cameras;
/// <c>spiral</c>: the dataset format's own render path where it has one (LLFF's spiral, or its circle with spherify), else
/// nerf-pytorch's 360-degree <c>render_poses</c> (pose_spherical at phi degrees, radius, with the first camera's intrinsics);
/// <c>orbit</c>: a circle around the scene centre at the training cameras' mean height and radius (<see cref="OrbitPath"/>);
/// <c>interpolate</c>: a smooth path through the training cameras in order (<see cref="KeyframeSpline"/>, one second per
/// transition, field of view interpolated);
/// a <c>.json</c> file: nerfstudio's camera_path.json (<see cref="CameraPathJson"/>), its poses taken in the run's world frame
/// (the dataset's own frame for Blender scenes and transforms.json captures, the normalised frame for COLMAP captures), or
/// mapped from nerfstudio's training frame with its dataparser_transforms.json (<see cref="RenderPathOptions.NerfstudioTransform"/>).
/// </summary>
public static class RenderPaths
{
    public static readonly IReadOnlyList<string> Names = ["spiral", "orbit", "interpolate", "test", "val", "train", "FILE.json"];

    /// <summary>Whether <paramref name="path"/> names a camera-path file rather than a built-in path.</summary>
    public static bool IsFile(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || (path is not ("spiral" or "orbit" or "interpolate" or "test" or "val" or "train") && File.Exists(path));

    /// <summary>The split whose cameras <paramref name="path"/> needs as its reference: the split itself for test/val, else train.</summary>
    public static string ReferenceSplit(string path) => path is "test" or "val" ? path : "train";

    /// <summary>The legacy form: <paramref name="frames"/> frames, spiral radius and elevation, cameras at their own size.</summary>
    public static List<Camera> Select(DataParserOutput reference, string path, int frames, double radius, double phi) =>
        Resolve(reference, path, new RenderPathOptions { Frames = frames, Radius = radius, Phi = phi }).Cameras.ToList();

    public static RenderPathCameras Resolve(DataParserOutput reference, string path, RenderPathOptions options)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Downscale < 1 || options.Frames is < 1 || options.Fps is not null and not > 0 || options.Seconds is not null and not > 0
            || options.Resolution is { } r && (r.Width < 1 || r.Height < 1))
        {
            throw new ArgumentException("--frames, --fps, --seconds, --downscale and --resolution must be positive");
        }

        double fps = options.Fps ?? RenderPathOptions.DefaultFps;
        if (IsFile(path))
        {
            return FromFile(path, options);
        }

        if (reference.Cameras.Count == 0)
        {
            throw new ArgumentException($"the reference data has no cameras to build the '{path}' path from");
        }

        Camera first = reference.Cameras[0];
        List<Camera> cameras;
        CameraPath? keyframes = null;
        switch (path)
        {
            case "test" or "val" or "train":
                cameras = reference.Cameras.ToList();
                break;
            case "spiral":
                IReadOnlyList<Pose> spiral = reference.RenderPath.Count > 0 ? reference.RenderPath : CameraPaths.SphericalPath(options.GeneratedFrameCount, options.Phi, options.Radius);
                cameras = spiral.Select(p => new Camera(first.Intrinsics, p)).ToList();
                break;
            case "orbit":
                IReadOnlyList<Pose> orbit = OrbitPath.Create(reference.Cameras.Select(c => c.CameraToWorld).ToList(), options.GeneratedFrameCount);
                cameras = orbit.Select(p => new Camera(first.Intrinsics, p) { PixelCenter = first.PixelCenter }).ToList();
                break;
            case "interpolate":
                (cameras, keyframes) = Interpolate(reference.Cameras, options.GeneratedFrameCount, fps);
                break;
            default:
                throw new ArgumentException($"unknown --path '{path}' ({string.Join(", ", Names)})");
        }

        cameras = cameras.Select(c => Resize(c, options.Resolution, options.Downscale)).ToList();
        return new RenderPathCameras(path, cameras, fps) { Description = Describe(cameras, fps, keyframes) };
    }

    /// <summary>
    /// The camera at another output size: <paramref name="resolution"/> (width, height) keeps the vertical field of view
    /// and the principal point's offset from the centre in proportion; then every size and focal is divided by <paramref name="downscale"/>.
    /// </summary>
    public static Camera Resize(Camera camera, (int Width, int Height)? resolution, int downscale)
    {
        ArgumentNullException.ThrowIfNull(camera);
        PinholeIntrinsics k = camera.Intrinsics;
        if (resolution is { } r && (r.Width != k.Width || r.Height != k.Height))
        {
            double s = (double)r.Height / k.Height;
            k = new PinholeIntrinsics(r.Width, r.Height, k.Fx * s, k.Fy * s, (0.5 * r.Width) + ((k.Cx - (0.5 * k.Width)) * s), (0.5 * r.Height) + ((k.Cy - (0.5 * k.Height)) * s));
        }

        if (downscale > 1)
        {
            k = k.Scaled(1.0 / downscale);
            if (k.Width < 1 || k.Height < 1)
            {
                throw new ArgumentException($"--downscale {downscale} leaves no pixels of a {camera.Intrinsics.Width}x{camera.Intrinsics.Height} image");
            }
        }

        return camera with { Intrinsics = k };
    }

    private static RenderPathCameras FromFile(string file, RenderPathOptions options)
    {
        CameraPath path = CameraPathJson.Read(file);
        IReadOnlyList<CameraPathPose> poses = path.Resolve(options.Fps, options.Seconds, options.Frames);
        if (options.NerfstudioTransform is { } transform)
        {
            poses = poses.Select(p => p with { CameraToWorld = transform.ToDatasetFrame(p.CameraToWorld) }).ToList();
        }

        (int width, int height) = options.Resolution ?? (path.RenderWidth, path.RenderHeight);
        var cameras = poses.Select(p => Resize(p.ToCamera(width, height), null, options.Downscale)).ToList();
        double fps = options.Fps ?? path.Fps;
        return new RenderPathCameras(Path.GetFileNameWithoutExtension(file), cameras, fps)
        {
            Description = path with { Frames = poses, RenderWidth = width, RenderHeight = height, Fps = fps, Seconds = poses.Count / fps },
        };
    }

    private static (List<Camera> Cameras, CameraPath Keyframes) Interpolate(IReadOnlyList<Camera> training, int frames, double fps)
    {
        var keys = training.Select(c => new CameraPathKeyframe(
            c.CameraToWorld, CameraPathPose.VerticalFov(c.Intrinsics.Height, c.Intrinsics.Fy), (double)c.Intrinsics.Width / c.Intrinsics.Height)).ToList();
        var spline = new KeyframeSpline(keys, 1.0);
        Camera first = training[0];
        var cameras = spline.Sample(frames)
            .Select(p => p.ToCamera(first.Intrinsics.Width, first.Intrinsics.Height) with { PixelCenter = first.PixelCenter })
            .ToList();
        var path = new CameraPath(first.Intrinsics.Width, first.Intrinsics.Height, fps, frames / fps) { Keyframes = keys, DefaultTransitionSeconds = 1.0 };
        return (cameras, path);
    }

    private static CameraPath Describe(IReadOnlyList<Camera> cameras, double fps, CameraPath? keyframes)
    {
        PinholeIntrinsics k = cameras[0].Intrinsics;
        var frames = cameras.Select(c => new CameraPathPose(
            c.CameraToWorld, CameraPathPose.VerticalFov(c.Intrinsics.Height, c.Intrinsics.Fy), (double)c.Intrinsics.Width / c.Intrinsics.Height)).ToList();
        CameraPath path = keyframes ?? new CameraPath(k.Width, k.Height, fps, cameras.Count / fps);
        return path with
        {
            RenderWidth = k.Width,
            RenderHeight = k.Height,
            Fps = fps,
            Seconds = cameras.Count / fps,
            Frames = frames,
            DefaultFovDegrees = frames[0].VerticalFovDegrees,
        };
    }
}
