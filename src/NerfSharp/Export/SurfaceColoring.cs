using NerfSharp.Fields;
using NerfSharp.Models;

namespace NerfSharp.Export;

/// <summary>
/// Vertex colours from a radiance model, seen from just outside the surface looking back along the negated normal, the
/// way a camera facing the surface head-on would see it. With a field's colour query, a short ray of
/// <see cref="FieldSamples"/> samples from <c>offset</c> outside to <c>offset</c> inside the vertex is composited (cheap:
/// a few samples per vertex); otherwise the model renders the ray. Colours are divided by the ray's opacity (rendered
/// over black), so a half-transparent surface is not darkened.
/// </summary>
public static class SurfaceColoring
{
    /// <summary>Samples per vertex on the short ray of the field path.</summary>
    public const int FieldSamples = 8;

    /// <summary>Vertices per field query: fixed, so the colours do not depend on the thread count.</summary>
    private const int Chunk = 4096;

    /// <summary>
    /// Colours (rgb per vertex, in the training images' sRGB) of a mesh with unit normals, through the field's colour
    /// query; rays start <paramref name="offset"/> world units outside the vertex and end as far inside.
    /// </summary>
    public static float[] Compute(Func<int, IRadianceField> createQuery, TriangleMesh mesh, float offset, Action<int, int>? onVertices = null, CancellationToken cancel = default)
    {
        float[] normals = mesh.Normals ?? throw new ArgumentException("colouring a mesh needs its vertex normals");
        float[] p = mesh.Positions;
        int count = mesh.VertexCount;
        var colors = new float[3 * count];
        int chunks = (count + Chunk - 1) / Chunk, done = 0;
        var progressLock = new object();
        float delta = 2 * offset / FieldSamples;
        Parallel.For(
            0,
            chunks,
            new ParallelOptions { CancellationToken = cancel },
            () => (Query: createQuery(Chunk * FieldSamples), Positions: new float[3 * Chunk * FieldSamples], Directions: new float[3 * Chunk * FieldSamples],
                Density: new float[Chunk * FieldSamples], Rgb: new float[3 * Chunk * FieldSamples]),
            (chunk, _, w) =>
            {
                int start = chunk * Chunk, n = Math.Min(Chunk, count - start);
                for (int k = 0; k < n; k++)
                {
                    int v = 3 * (start + k);
                    for (int s = 0; s < FieldSamples; s++)
                    {
                        int q = 3 * ((k * FieldSamples) + s);
                        float t = offset - ((s + 0.5f) * delta); // signed distance along the normal: outside first
                        for (int c = 0; c < 3; c++)
                        {
                            w.Positions[q + c] = p[v + c] + (t * normals[v + c]);
                            w.Directions[q + c] = -normals[v + c];
                        }
                    }
                }

                w.Query.QueryRadiance(w.Positions, w.Directions, n * FieldSamples, w.Density, w.Rgb);
                for (int k = 0; k < n; k++)
                {
                    float transmittance = 1, r = 0, g = 0, b = 0;
                    for (int s = 0; s < FieldSamples; s++)
                    {
                        int q = (k * FieldSamples) + s;
                        float weight = transmittance * (1 - MathF.Exp(-w.Density[q] * delta));
                        r += weight * w.Rgb[3 * q];
                        g += weight * w.Rgb[(3 * q) + 1];
                        b += weight * w.Rgb[(3 * q) + 2];
                        transmittance -= weight;
                    }

                    float acc = 1 - transmittance;
                    int v = 3 * (start + k);
                    if (acc > 1e-4f)
                    {
                        colors[v] = Math.Clamp(r / acc, 0f, 1f);
                        colors[v + 1] = Math.Clamp(g / acc, 0f, 1f);
                        colors[v + 2] = Math.Clamp(b / acc, 0f, 1f);
                    }
                    else
                    {
                        // Too thin to composite: the colour at the vertex itself.
                        int q = 3 * ((k * FieldSamples) + (FieldSamples / 2));
                        w.Rgb.AsSpan(q, 3).CopyTo(colors.AsSpan(v, 3));
                    }
                }

                lock (progressLock)
                {
                    done += n;
                    onVertices?.Invoke(done, count);
                }

                return w;
            },
            _ => { });
        return colors;
    }

    /// <summary>
    /// Colours (rgb per vertex, in the training images' sRGB) of a mesh with unit normals, rendered through the model;
    /// rays start <paramref name="offset"/> world units outside and reach <paramref name="far"/> units at most.
    /// </summary>
    public static float[] Render(IRadianceModel model, TriangleMesh mesh, float offset, float far, int chunk = 4096, Action<int, int>? onVertices = null, CancellationToken cancel = default)
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
