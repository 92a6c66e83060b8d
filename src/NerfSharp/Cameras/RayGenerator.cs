namespace NerfSharp.Cameras;

/// <summary>
/// Ray generation as nerf-pytorch's <c>get_rays</c>, extended by lens distortion and the pixel-centre convention:
/// for column i and row j the image point is (u, v) = (i + o, j + o) with o = <see cref="Camera.PixelOffset"/> (0 for
/// nerf-pytorch's corners, 0.5 for centres); its normalised coordinates ((u - cx) / fx, (v - cy) / fy) are undistorted
/// (<see cref="LensDistortion.Undistort"/>) to (x, y), and the camera-space direction (x, -y, -1) (OpenGL camera: y up,
/// looking down -z) is rotated into the world by the camera-to-world pose; the origin is the camera centre.
/// Without distortion and with corners this is exactly nerf-pytorch's arithmetic.
/// </summary>
public static class RayGenerator
{
    /// <summary>The ray through column <paramref name="i"/>, row <paramref name="j"/>; the direction is not normalised.</summary>
    public static Ray GetRay(Camera camera, double i, double j)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var (x, y) = CameraDirection(camera, i, j);
        var (dx, dy, dz) = camera.CameraToWorld.RotateToWorld(x, y, -1.0);
        var (ox, oy, oz) = camera.CameraToWorld.Origin;
        return new Ray(ox, oy, oz, dx, dy, dz);
    }

    /// <summary>The camera-space (OpenGL) direction (x, y, -1) of pixel (i, j), as its x and y.</summary>
    public static (double X, double Y) CameraDirection(Camera camera, double i, double j)
    {
        ArgumentNullException.ThrowIfNull(camera);
        PinholeIntrinsics k = camera.Intrinsics;
        double offset = camera.PixelOffset;
        double x = (i + offset - k.Cx) / k.Fx;
        double y = (j + offset - k.Cy) / k.Fy;
        if (!camera.Distortion.IsIdentity)
        {
            (x, y) = camera.Distortion.Undistort(x, y);
        }

        return (x, -y);
    }

    /// <summary>
    /// Where a camera-space (OpenGL) point projects: the continuous image point (u, v) in the camera's pixel frame,
    /// distortion applied; pixel indices are (u - o, v - o) with o = <see cref="Camera.PixelOffset"/>. The inverse of
    /// <see cref="CameraDirection"/> for points in front of the camera (z &lt; 0).
    /// </summary>
    public static (double U, double V) Project(Camera camera, double x, double y, double z)
    {
        ArgumentNullException.ThrowIfNull(camera);
        double nx = x / -z;
        double ny = -y / -z;
        (nx, ny) = camera.Distortion.Distort(nx, ny);
        PinholeIntrinsics k = camera.Intrinsics;
        return ((nx * k.Fx) + k.Cx, (ny * k.Fy) + k.Cy);
    }
}
