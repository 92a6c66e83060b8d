using NerfSharp.Cameras;
using NerfSharp.Data;
using NerfSharp.Numerics;

namespace NerfSharp.Runs;

/// <summary>
/// The cameras a render path names: a split's own cameras (<c>test</c>, <c>val</c>, <c>train</c>, read from the
/// reference data) or <c>spiral</c>: the dataset format's own render path where it has one (LLFF's spiral, or its
/// circle with spherify), else nerf-pytorch's 360-degree <c>render_poses</c> (pose_spherical at <paramref name="phi"/>
/// degrees, radius <paramref name="radius"/>, <paramref name="frames"/> frames), with the reference's first intrinsics.
/// </summary>
public static class RenderPaths
{
    public static readonly IReadOnlyList<string> Names = ["spiral", "test", "val", "train"];

    public static List<Camera> Select(DataParserOutput reference, string path, int frames, double radius, double phi)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (path is "test" or "val" or "train")
        {
            return reference.Cameras.ToList();
        }

        if (path != "spiral")
        {
            throw new ArgumentException($"unknown --path '{path}' ({string.Join(", ", Names)})");
        }

        PinholeIntrinsics intrinsics = reference.Cameras[0].Intrinsics;
        IReadOnlyList<Pose> poses = reference.RenderPath.Count > 0 ? reference.RenderPath : CameraPaths.SphericalPath(frames, phi, radius);
        return poses.Select(p => new Camera(intrinsics, p)).ToList();
    }
}
