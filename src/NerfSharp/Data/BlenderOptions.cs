namespace NerfSharp.Data;

/// <summary>
/// How the Blender synthetic (nerf_synthetic) parser loads a split, as nerf-pytorch's load_blender_data options:
/// <paramref name="HalfRes"/> halves the images (area averaging) and the focal length; <paramref name="TestSkip"/>
/// keeps every N-th frame of the val and test splits (0 or 1 keep all; train always keeps all);
/// <paramref name="Background"/> is the colour the alpha channel is composited over (white = white_bkgd);
/// <paramref name="KeepAlpha"/> keeps RGBA images as they are instead (a trainer then composites each pixel over a random
/// background, as instant-ngp does). <paramref name="MaxImageBytes"/> (0 = no limit) bounds the memory the decoded images
/// may take: when their floats would not fit, full-resolution 8-bit images are kept as their bytes
/// (<see cref="Imaging.Image.FromBytes"/>, the same values on read); when even those would not fit, loading fails with one sentence.
/// <paramref name="Cache"/> keeps decoded (float) images between loads. <paramref name="PixelCenter"/> is where a pixel's
/// ray goes through: nerf-pytorch's corners (the default, which keeps its golden values), or the centres Blender rendered
/// the images at (instant-ngp, nerfstudio).
/// </summary>
public sealed record BlenderOptions(
    bool HalfRes = false, int TestSkip = 1, BackgroundColor Background = BackgroundColor.White, bool KeepAlpha = false, long MaxImageBytes = 0,
    Imaging.DecodedImageCache? Cache = null, Cameras.PixelCenter PixelCenter = Cameras.PixelCenter.Corner);
