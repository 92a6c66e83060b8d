using NerfSharp.Models;

namespace NerfSharp.Export;

/// <summary>
/// Vertex colours from a radiance model: each vertex is rendered as a ray that starts just outside the surface (a small
/// distance along its normal) and looks back along the negated normal, the way a camera facing the surface head-on
/// would see it. The colour is divided by the ray's opacity (rendered over black), so a half-transparent surface is not
/// darkened.
/// </summary>
public static class SurfaceColoring
{
    /// <summary>
    /// Colours (rgb per vertex, in the training images' sRGB) for a mesh with unit normals; rays start
    /// <paramref name="offset"/> world units outside and reach <paramref name="far"/> units at most.
    /// </summary>
    public static float[] Compute(IRadianceModel model, TriangleMesh mesh, float offset, float far, int chunk = 4096, Action<int, int>? onVertices = null, CancellationToken cancel = default)
    {
        float[] normals = mesh.Normals ?? throw new ArgumentException("colouring a mesh needs its vertex normals");
        float[] p = mesh.Positions;
        int count = mesh.VertexCount;
        var colors = new float[3 * count];
        var rays = new RayBatch(chunk);
        var output = new RenderedRays(chunk);
        RenderContext context = model.CreateRenderContext(chunk);
        for (int start = 0; start < count; start += chunk)
        {
            cancel.ThrowIfCancellationRequested();
            int n = Math.Min(chunk, count - start);
            for (int k = 0; k < n; k++)
            {
                int v = 3 * (start + k);
                float nx = normals[v], ny = normals[v + 1], nz = normals[v + 2];
                var ray = new Cameras.Ray(p[v] + (offset * nx), p[v + 1] + (offset * ny), p[v + 2] + (offset * nz), -nx, -ny, -nz);
                rays.Set(k, ray, 0, far);
            }

            rays.Count = n;
            rays.FillBackground(0, 0, 0);
            model.Render(rays, output, context);
            for (int k = 0; k < n; k++)
            {
                float acc = output.Accumulation[k];
                float scale = acc > 1e-3f ? 1f / acc : 0f;
                for (int c = 0; c < 3; c++)
                {
                    colors[(3 * (start + k)) + c] = Math.Clamp(output.Rgb[(3 * k) + c] * scale, 0f, 1f);
                }
            }

            onVertices?.Invoke(start + n, count);
        }

        return colors;
    }
}
