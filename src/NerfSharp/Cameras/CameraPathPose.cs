using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// One camera of a camera path as nerfstudio's camera_path.json stores it: camera-to-world pose (OpenGL camera, the
/// run's world frame), vertical field of view in degrees and aspect ratio (width / height).
/// </summary>
public readonly record struct CameraPathPose(Pose CameraToWorld, double VerticalFovDegrees, double Aspect)
{
    /// <summary>
    /// The pinhole camera of this pose rendered at <paramref name="width"/> x <paramref name="height"/>: square pixels with
    /// fy = fx = (height / 2) / tan(fov / 2) (three.js's perspective camera, as nerfstudio), principal point at the image
    /// centre and rays through pixel centres (nerfstudio's convention).
    /// </summary>
    public Camera ToCamera(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        double focal = FocalForHeight(height, VerticalFovDegrees);
        return new Camera(new PinholeIntrinsics(width, height, focal, focal, 0.5 * width, 0.5 * height), CameraToWorld) { PixelCenter = PixelCenter.Center };
    }

    /// <summary>The focal length in pixels that gives a vertical field of view of <paramref name="fovDegrees"/> over <paramref name="height"/> rows.</summary>
    public static double FocalForHeight(double height, double fovDegrees) => 0.5 * height / Math.Tan(0.5 * fovDegrees * Math.PI / 180.0);

    /// <summary>The vertical field of view (degrees) of a camera with focal <paramref name="fy"/> over <paramref name="height"/> rows.</summary>
    public static double VerticalFov(double height, double fy) => 2.0 * Math.Atan(0.5 * height / fy) * 180.0 / Math.PI;
}
