using NerfSharp.Cameras;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Fields;
using NerfSharp.Models;
using NerfSharp.Numerics;

namespace NerfSharp.Export;

/// <summary>
/// A trained model's surface as points: every pixel of the given views is rendered, and where the ray's opacity is high
/// the point at its expected depth (divided by the opacity, so partly transparent rays are not pulled towards the
/// camera) becomes a candidate, coloured by the rendered colour. A uniform random choice (reservoir sampling, seeded)
/// keeps the requested number. Normals are the negated density gradient (central differences), turned towards the
/// camera that saw the point; where the gradient vanishes, the direction back to the camera.
/// </summary>
public static class PointCloudExporter
{
    public static PointCloud Export(
        IRadianceModel model, DataParserOutput views, PointCloudExportOptions options, int chunk = 8192, Action<int, int>? onView = null, CancellationToken cancel = default)
    {
        if (options.Points < 1 || !(options.MinAccumulation >= 0 && options.MinAccumulation < 1) || options.Downscale is < 1)
        {
            throw new ArgumentException($"a point cloud needs at least 1 point, a minimum opacity in [0, 1) and a downscale of at least 1, got {options.Points}, {options.MinAccumulation} and {options.Downscale}");
        }

        if (views.Ndc)
        {
            throw new ArgumentException("point-cloud export works in world space and does not support forward-facing scenes trained in NDC (train with --no_ndc)");
        }

        int factor = options.Downscale ?? AutoDownscale(views, options.Points);
        int n = options.Points;
        var positions = new float[3 * n];
        var colors = new float[3 * n];
        var toCamera = new float[3 * n];
        long candidates = 0;
        var rng = new Rng(options.Seed);
        var renderer = new ImageRenderer(model, chunk);
        for (int view = 0; view < views.Count; view++)
        {
            cancel.ThrowIfCancellationRequested();
            Camera camera = views.Cameras[view];
            if (factor > 1)
            {
                camera = camera with { Intrinsics = camera.Intrinsics.Scaled(1.0 / factor) };
            }

            DepthBounds bounds = views.BoundsOf(view);
            RenderedImage image = renderer.Render(camera, bounds.Near, bounds.Far);
            int w = camera.Intrinsics.Width, h = camera.Intrinsics.Height;
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int pixel = (y * w) + x;
                    float acc = image.Accumulation[pixel];
                    if (!(acc > options.MinAccumulation))
                    {
                        continue;
                    }

                    // Algorithm R: candidate c replaces a random kept point with probability n / (c + 1).
                    long slot = candidates < n ? candidates : (long)(rng.NextDouble() * (candidates + 1));
                    candidates++;
                    if (slot >= n)
                    {
                        continue;
                    }

                    int s = 3 * (int)slot;
                    Ray ray = RayGenerator.GetRay(camera, x, y);
                    var (px, py, pz) = ray.PointAt(image.Depth[pixel] / acc);
                    positions[s] = (float)px;
                    positions[s + 1] = (float)py;
                    positions[s + 2] = (float)pz;
                    double norm = ray.DirectionNorm;
                    toCamera[s] = (float)(-ray.DirX / norm);
                    toCamera[s + 1] = (float)(-ray.DirY / norm);
                    toCamera[s + 2] = (float)(-ray.DirZ / norm);
                    for (int c = 0; c < 3; c++)
                    {
                        colors[s + c] = Math.Clamp(image.Rgb.Pixels[(3 * pixel) + c] / acc, 0f, 1f); // rendered over black
                    }
                }
            }

            onView?.Invoke(view + 1, views.Count);
        }

        int kept = (int)Math.Min(n, candidates);
        if (kept == 0)
        {
            throw new ArgumentException($"no pixel of the {views.Count} views reaches opacity {options.MinAccumulation}: the run shows no surface (train it longer or lower the minimum)");
        }

        Array.Resize(ref positions, 3 * kept);
        Array.Resize(ref colors, 3 * kept);
        ExportableField field = ExportableField.Of(model);
        float step = field.Bounds.Diagonal / 1024;
        float[] normals = GradientNormals(field.CreateQuery(Math.Min(kept, 1 << 15) * 6), positions, toCamera, step);
        return new PointCloud(positions, colors, normals);
    }

    /// <summary>The downscale that leaves about four candidate pixels per requested point (at least 1).</summary>
    public static int AutoDownscale(DataParserOutput views, int points)
    {
        double pixels = 0;
        foreach (Camera c in views.Cameras)
        {
            pixels += (double)c.Intrinsics.Width * c.Intrinsics.Height;
        }

        return Math.Max(1, (int)Math.Floor(Math.Sqrt(pixels / (4.0 * points))));
    }

    /// <summary>Unit -grad(density) at each point (central differences of <paramref name="step"/>), facing the camera.</summary>
    private static float[] GradientNormals(IDensityField density, float[] positions, float[] toCamera, float step)
    {
        int count = positions.Length / 3;
        var normals = new float[positions.Length];
        int batch = 1 << 15;
        var probes = new float[18 * batch];
        var values = new float[6 * batch];
        for (int start = 0; start < count; start += batch)
        {
            int m = Math.Min(batch, count - start);
            for (int i = 0; i < m; i++)
            {
                int p = 3 * (start + i);
                for (int axis = 0; axis < 3; axis++)
                {
                    for (int side = 0; side < 2; side++)
                    {
                        int q = 3 * ((6 * i) + (2 * axis) + side);
                        probes[q] = positions[p];
                        probes[q + 1] = positions[p + 1];
                        probes[q + 2] = positions[p + 2];
                        probes[q + axis] += side == 0 ? step : -step;
                    }
                }
            }

            density.QueryDensity(probes, 6 * m, values);
            for (int i = 0; i < m; i++)
            {
                int p = 3 * (start + i);
                float gx = values[(6 * i) + 1] - values[6 * i];
                float gy = values[(6 * i) + 3] - values[(6 * i) + 2];
                float gz = values[(6 * i) + 5] - values[(6 * i) + 4];
                float length = MathF.Sqrt((gx * gx) + (gy * gy) + (gz * gz));
                if (!(length > 0) || !float.IsFinite(length))
                {
                    (gx, gy, gz, length) = (toCamera[p], toCamera[p + 1], toCamera[p + 2], 1f);
                }

                // (-step) - (+step) differences are -grad: pointing away from the dense inside. Turn them towards the camera.
                float sign = ((gx * toCamera[p]) + (gy * toCamera[p + 1]) + (gz * toCamera[p + 2])) < 0 ? -1f : 1f;
                normals[p] = sign * gx / length;
                normals[p + 1] = sign * gy / length;
                normals[p + 2] = sign * gz / length;
            }
        }

        return normals;
    }
}
