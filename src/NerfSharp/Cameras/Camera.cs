using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// Pinhole intrinsics in pixels. nerf-pytorch's convention: principal point at (W/2, H/2)
/// and rays through pixel corners (no +0.5), which keeps golden values comparable.
/// </summary>
public sealed record PinholeIntrinsics(int Width, int Height, double Fx, double Fy, double Cx, double Cy)
{
    /// <summary>nerf-pytorch's K for a square-pixel camera: fx = fy = focal, cx = W/2, cy = H/2.</summary>
    public static PinholeIntrinsics FromFocal(int width, int height, double focal) =>
        new(width, height, focal, focal, 0.5 * width, 0.5 * height);

    /// <summary>The same camera on an image scaled by <paramref name="factor"/> (0.5 for half resolution).</summary>
    public PinholeIntrinsics Scaled(double factor) =>
        new((int)(Width * factor), (int)(Height * factor), Fx * factor, Fy * factor, Cx * factor, Cy * factor);
}

/// <summary>One posed camera: intrinsics plus a camera-to-world pose (OpenGL convention).</summary>
public sealed record Camera(PinholeIntrinsics Intrinsics, Pose CameraToWorld);
