using System.Diagnostics;
using NerfSharp.Models;

namespace NerfSharp.Export;

/// <summary>
/// A trained model to a coloured triangle mesh: density on a grid, marching cubes at the threshold, small pieces removed,
/// area-weighted vertex normals, vertex colours rendered along the normals.
/// </summary>
public static class MeshExporter
{
    /// <summary>What an export made, and the seconds each stage took.</summary>
    public sealed record Result(TriangleMesh Mesh, float Threshold, DensityGrid Grid, int ComponentsRemoved, double SampleSeconds, double SurfaceSeconds, double ColorSeconds);

    /// <summary>
    /// Exports <paramref name="model"/>'s surface. <paramref name="onProgress"/> gets a stage name ("density", "colour"),
    /// the units done and the total.
    /// </summary>
    public static Result Export(IRadianceModel model, MeshExportOptions options, Action<string, long, long>? onProgress = null, CancellationToken cancel = default)
    {
        ExportableField field = ExportableField.Of(model);
        float threshold = options.Threshold ?? field.DefaultThreshold;
        if (!(threshold > 0) || !float.IsFinite(threshold))
        {
            throw new ArgumentException($"the density threshold must be a positive number, got {threshold}");
        }

        DensityGrid grid = DensityGrid.ForResolution(options.Bounds ?? field.Bounds, options.Resolution);
        var watch = Stopwatch.StartNew();
        DensityGridSampler.Fill(grid, field.CreateQuery, (done, total) => onProgress?.Invoke("density", done, total), cancel);
        if (options.CloseAtBounds)
        {
            grid.ClearBoundary();
        }

        double sampleSeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        TriangleMesh raw = MarchingCubes.Extract(grid, threshold);
        TriangleMesh mesh = MeshComponents.RemoveSmall(raw, options.MinComponentFraction);
        int removed = MeshComponents.Label(raw).Count - MeshComponents.Label(mesh).Count;
        mesh = mesh.With(normals: MeshNormals.Compute(mesh));
        double surfaceSeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        if (options.Colors && mesh.VertexCount > 0)
        {
            float cell = MathF.Max(grid.CellSizeX, MathF.Max(grid.CellSizeY, grid.CellSizeZ));
            Action<int, int> onVertices = (done, total) => onProgress?.Invoke("colour", done, total);
            float[] colors = field.CreateRadianceQuery is { } radiance
                ? SurfaceColoring.Compute(radiance, mesh, offset: 2 * cell, onVertices, cancel)
                : SurfaceColoring.Render(model, mesh, offset: 2 * cell, far: grid.Bounds.Diagonal, onVertices: onVertices, cancel: cancel);
            mesh = mesh.With(colors: colors);
        }

        return new Result(mesh, threshold, grid, removed, sampleSeconds, surfaceSeconds, watch.Elapsed.TotalSeconds);
    }
}
