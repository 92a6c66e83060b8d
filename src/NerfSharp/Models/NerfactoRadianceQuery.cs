using NerfSharp.Fields;

namespace NerfSharp.Models;

/// <summary>
/// The nerfacto main field as an inference query in world coordinates: points go to model units ((x - centre) * scale),
/// through the field with the appearance embedding of the training camera nearest each point, and densities come back
/// per world unit (density per model unit times the scale); density-only queries skip the colour network. No
/// gradients; its own buffers.
/// </summary>
internal sealed class NerfactoRadianceQuery : IRadianceField
{
    private readonly NerfactoModel model;
    private readonly NerfactoField.Context context;
    private readonly float[] positions;
    private readonly float[] directions;
    private readonly int[] images;
    private readonly float[] density;
    private readonly float[] rgb;
    private readonly float[] mean;

    public NerfactoRadianceQuery(NerfactoModel model, int capacity)
    {
        this.model = model;
        context = model.Field.CreateContext(capacity);
        positions = new float[3 * capacity];
        directions = new float[3 * capacity];
        images = new int[capacity];
        density = new float[capacity];
        rgb = new float[3 * capacity];
        mean = new float[Math.Max(1, model.Field.AppearanceWidth)];
    }

    public void QueryDensity(ReadOnlySpan<float> points, int count, Span<float> output) => Query(points, [], count, output, []);

    public void QueryRadiance(ReadOnlySpan<float> points, ReadOnlySpan<float> dirs, int count, Span<float> densityOut, Span<float> rgbOut) =>
        Query(points, dirs, count, densityOut, rgbOut);

    private void Query(ReadOnlySpan<float> points, ReadOnlySpan<float> dirs, int count, Span<float> densityOut, Span<float> rgbOut)
    {
        float scale = model.SceneScale;
        var (cx, cy, cz) = model.SceneCenter;
        model.Field.MeanAppearance(model.Parameters, mean);
        for (int start = 0; start < count; start += context.Capacity)
        {
            int n = Math.Min(context.Capacity, count - start);
            for (int i = 0; i < n; i++)
            {
                int p = 3 * (start + i);
                float x = points[p], y = points[p + 1], z = points[p + 2];
                images[i] = rgbOut.IsEmpty ? -1 : model.NearestTrainingCamera(x, y, z);
                positions[i] = (x - cx) * scale;
                positions[n + i] = (y - cy) * scale;
                positions[(2 * n) + i] = (z - cz) * scale;
                directions[i] = dirs.IsEmpty ? 0f : dirs[p];
                directions[n + i] = dirs.IsEmpty ? 0f : dirs[p + 1];
                directions[(2 * n) + i] = dirs.IsEmpty ? 1f : dirs[p + 2];
            }

            if (rgbOut.IsEmpty)
            {
                model.Field.ForwardDensity(positions.AsSpan(0, 3 * n), n, density, context);
            }
            else
            {
                model.Field.Forward(model.Parameters, positions.AsSpan(0, 3 * n), directions.AsSpan(0, 3 * n), images.AsSpan(0, n), mean, n, density, rgb, context);
            }

            for (int i = 0; i < n; i++)
            {
                densityOut[start + i] = density[i] * scale;
                if (!rgbOut.IsEmpty)
                {
                    int p = 3 * (start + i);
                    rgbOut[p] = rgb[i];
                    rgbOut[p + 1] = rgb[n + i];
                    rgbOut[p + 2] = rgb[(2 * n) + i];
                }
            }
        }
    }
}
