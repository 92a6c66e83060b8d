namespace NerfSharp.Cameras;

/// <summary>
/// Pinhole ray generation as nerf-pytorch's <c>get_rays</c>: camera-space direction
/// ((i - cx) / fx, -(j - cy) / fy, -1) for column i and row j (no +0.5 pixel-centre offset),
/// rotated into the world by the camera-to-world pose; the origin is the camera centre.
/// </summary>
public static class RayGenerator
{
    /// <summary>The ray through column <paramref name="i"/>, row <paramref name="j"/>; the direction is not normalised.</summary>
    public static Ray GetRay(Camera camera, double i, double j)
    {
        ArgumentNullException.ThrowIfNull(camera);
        PinholeIntrinsics k = camera.Intrinsics;
        double x = (i - k.Cx) / k.Fx;
        double y = -(j - k.Cy) / k.Fy;
        var (dx, dy, dz) = camera.CameraToWorld.RotateToWorld(x, y, -1.0);
        var (ox, oy, oz) = camera.CameraToWorld.Origin;
        return new Ray(ox, oy, oz, dx, dy, dz);
    }
}
