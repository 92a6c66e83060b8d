using NerfSharp.Cameras;
using NerfSharp.Data;
using NerfSharp.Models;

namespace NerfSharp.Viewer;

/// <summary>
/// What a viewer shows: the model it renders (trained, or training right now), the training cameras (drawn as frustums
/// and listed to jump to), the depth range of its rays, the background, the map from world rays to the model's space
/// (NDC for forward-facing scenes), and the live training state when a run is in progress.
/// </summary>
public sealed record ViewerScene(
    string Title,
    IRadianceModel Model,
    IReadOnlyList<Camera> TrainingCameras,
    float Near,
    float Far,
    (float R, float G, float B) Background,
    Func<Ray, Ray>? ToModelSpace,
    int Chunk)
{
    /// <summary>The live training state (null for a finished run).</summary>
    public TrainingStatus? Training { get; init; }

    /// <summary>A scene from a dataset split: its cameras, depth range, background and ray mapping.</summary>
    public static ViewerScene FromData(string title, IRadianceModel model, DataParserOutput data, int chunk) =>
        new(title, model, data.Cameras, data.Near, data.Far, data.Background.ToRgb(), data.Ndc ? ray => data.ToTrainingSpace(ray) : null, chunk);
}
