using NerfSharp.Cameras;
using NerfSharp.Imaging;
using NerfSharp.Numerics;

namespace NerfSharp.Data;

/// <summary>
/// What every data parser returns: images with their cameras in the one internal convention
/// (OpenGL camera, c2w), plus the scene's depth bounds and background colour.
/// Images are RGB (alpha already composited over <see cref="Background"/>).
/// Each camera carries its own intrinsics (so images may differ in size), lens distortion and the pixel-centre
/// convention of its format (<see cref="Camera.PixelCenter"/>). The init-only properties below are what real captures add;
/// their defaults describe a Blender synthetic scene.
/// </summary>
public sealed record DataParserOutput(
    IReadOnlyList<Image> Images,
    IReadOnlyList<Camera> Cameras,
    IReadOnlyList<string> ImagePaths,
    float Near,
    float Far,
    BackgroundColor Background)
{
    /// <summary>The number of views (cameras); equals Images.Count unless the parser was asked not to decode images.</summary>
    public int Count => Cameras.Count;

    /// <summary>The format that was read: "blender", "instant_ngp", "nerfstudio", "llff" or "colmap".</summary>
    public string Format { get; init; } = "blender";

    /// <summary>Per-view near and far depth bounds in world units (null: <see cref="Near"/>/<see cref="Far"/> for every view).</summary>
    public IReadOnlyList<DepthBounds>? ViewBounds { get; init; }

    /// <summary>An axis-aligned box (world units) that holds the scene, when the format gives one (instant-ngp's aabb_scale).</summary>
    public SceneBounds? SceneBox { get; init; }

    /// <summary>instant-ngp's aabb_scale (1 when absent): the scene box is that many times the unit cube in instant-ngp's frame.</summary>
    public double AabbScale { get; init; } = 1;

    /// <summary>
    /// True for forward-facing LLFF scenes trained in normalised device coordinates (nerf-pytorch without no_ndc): rays
    /// from <see cref="RayGenerator"/> are mapped with <see cref="NdcRays.ToNdc"/> (near plane <see cref="NdcNearPlane"/>,
    /// the first camera's focal and size), and <see cref="Near"/>/<see cref="Far"/> are 0 and 1 in NDC.
    /// </summary>
    public bool Ndc { get; init; }

    /// <summary>The z = -near plane that NDC maps to -1 (nerf-pytorch passes 1.0).</summary>
    public double NdcNearPlane { get; init; } = 1.0;

    /// <summary>The format's own render path (LLFF's spiral, or its 120-pose circle with spherify); empty when it has none.</summary>
    public IReadOnlyList<Pose> RenderPath { get; init; } = [];

    /// <summary>Per view, the mask image a transforms.json frame names (mask_path; nerfstudio: 0 = ignore the pixel), or null; null when no frame has one.</summary>
    public IReadOnlyList<string?>? MaskPaths { get; init; }

    /// <summary>
    /// Per view, the decoded mask (<see cref="PixelMask"/>: its ignored pixels are never sampled for training nor scored), or null
    /// for a view without one; null when no view has one or images were not loaded.
    /// </summary>
    public IReadOnlyList<PixelMask?>? Masks { get; init; }

    /// <summary>Index of each view in the file's full (sorted) image list, before the split was taken.</summary>
    public IReadOnlyList<int>? SourceIndices { get; init; }

    /// <summary>How the split was chosen, for the log (e.g. "every 8th image held out for test (llffhold = 8)").</summary>
    public string SplitDescription { get; init; } = "";

    /// <summary>The similarity applied to the file's world to get this one (world_out = Scale * (R * world_in + T)); identity when none.</summary>
    public Pose WorldTransform { get; init; } = Pose.Identity;

    public double WorldScale { get; init; } = 1;

    /// <summary>
    /// The training-space ray of pixel (x, y) of view <paramref name="view"/>: <see cref="RayGenerator.GetRay"/> through its camera,
    /// mapped to normalised device coordinates when <see cref="Ndc"/> (nerf-pytorch's ndc_rays with the first camera's H, W, focal).
    /// Use it with <see cref="BoundsOf"/>.
    /// </summary>
    public Ray RayFor(int view, double x, double y) => ToTrainingSpace(RayGenerator.GetRay(Cameras[view], x, y));

    /// <summary>A world-space ray in the space the model trains in: itself, or its NDC form when <see cref="Ndc"/>.</summary>
    public Ray ToTrainingSpace(in Ray ray)
    {
        if (!Ndc)
        {
            return ray;
        }

        PinholeIntrinsics k = Cameras[0].Intrinsics;
        return NdcRays.ToNdc(k.Height, k.Width, k.Fx, NdcNearPlane, ray);
    }

    /// <summary>Near and far of view <paramref name="index"/>: its own bounds when the format gives them, else the scene's.</summary>
    public DepthBounds BoundsOf(int index) => ViewBounds is null ? new DepthBounds(Near, Far) : ViewBounds[index];
}

/// <summary>Near and far depths along a view's rays.</summary>
public readonly record struct DepthBounds(float Near, float Far);

/// <summary>An axis-aligned box in world units.</summary>
public sealed record SceneBounds(double MinX, double MinY, double MinZ, double MaxX, double MaxY, double MaxZ);

/// <summary>The colour rays see where the scene is empty: black (the default) or white (white_bkgd).</summary>
public enum BackgroundColor
{
    Black,
    White,
}

/// <summary>Colour values of <see cref="BackgroundColor"/>.</summary>
public static class BackgroundColorExtensions
{
    public static (float R, float G, float B) ToRgb(this BackgroundColor background) =>
        background == BackgroundColor.White ? (1f, 1f, 1f) : (0f, 0f, 0f);
}
