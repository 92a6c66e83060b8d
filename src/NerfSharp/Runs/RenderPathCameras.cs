using NerfSharp.Cameras;

namespace NerfSharp.Runs;

/// <summary>The cameras of a resolved render path, in frame order, with the frame rate its video plays at and the keyframes it was made from (when any).</summary>
public sealed record RenderPathCameras(string Name, IReadOnlyList<Camera> Cameras, double Fps)
{
    /// <summary>The path as a nerfstudio camera_path.json would hold it (rendered cameras and keyframes), for writing beside the frames.</summary>
    public CameraPath? Description { get; init; }
}
