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

/// <summary>
/// Which point of pixel (i, j) its ray goes through. Blender/nerf-pytorch datasets (and their golden values) use the
/// pixel's corner (i, j); instant-ngp, nerfstudio and COLMAP put (cx, cy) in the same continuous frame where pixel
/// (i, j) covers [i, i + 1) x [j, j + 1), so its ray goes through the centre (i + 0.5, j + 0.5).
/// </summary>
public enum PixelCenter
{
    /// <summary>The ray of pixel (i, j) goes through image point (i, j): nerf-pytorch, Blender synthetic, LLFF.</summary>
    Corner,

    /// <summary>The ray of pixel (i, j) goes through image point (i + 0.5, j + 0.5): instant-ngp, nerfstudio, COLMAP.</summary>
    Center,
}

/// <summary>
/// One posed camera: pinhole intrinsics plus a camera-to-world pose (OpenGL convention), optionally a lens
/// distortion (applied to normalised image coordinates, <see cref="LensDistortion"/>) and the pixel-centre
/// convention of the format it came from. The defaults (no distortion, corners) are nerf-pytorch's camera.
/// </summary>
public sealed record Camera(PinholeIntrinsics Intrinsics, Pose CameraToWorld)
{
    public LensDistortion Distortion { get; init; } = LensDistortion.None;

    public PixelCenter PixelCenter { get; init; } = PixelCenter.Corner;

    /// <summary>The offset added to integer pixel indices before projecting: 0 for corners, 0.5 for centres.</summary>
    public double PixelOffset => PixelCenter == PixelCenter.Center ? 0.5 : 0.0;
}
