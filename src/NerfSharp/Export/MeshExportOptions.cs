using NerfSharp.Sampling;

namespace NerfSharp.Export;

/// <summary>
/// Settings of a mesh export: grid cells along the box's longest side, the density threshold of the surface (null: the
/// model's default, <see cref="ExportableField"/>), the box to mesh (null: the model's scene box), the smallest piece
/// kept as a fraction of the largest one's triangles, whether to colour the vertices, and whether to cap the surface
/// where it leaves the box (zero density on the box's faces), which makes every exported mesh closed.
/// </summary>
public sealed record MeshExportOptions(
    int Resolution = 256,
    float? Threshold = null,
    SceneBox? Bounds = null,
    double MinComponentFraction = 0.02,
    bool Colors = true,
    bool CloseAtBounds = true);
