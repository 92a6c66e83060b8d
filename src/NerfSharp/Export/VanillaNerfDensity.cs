using NerfSharp.Fields;

namespace NerfSharp.Export;

/// <summary>The density query of a nerf-pytorch field: relu of the MLP's sigma output (it does not depend on the view direction).</summary>
public sealed class VanillaNerfDensity : IDensityField
{
    private readonly VanillaNerfField field;
    private readonly VanillaNerfField.Workspace workspace;
    private readonly float[] directions;
    private readonly float[] raw;

    public VanillaNerfDensity(VanillaNerfField field, int capacity)
    {
        this.field = field;
        workspace = field.CreateWorkspace(capacity);
        directions = new float[3 * capacity];
        for (int i = 0; i < capacity; i++)
        {
            directions[(3 * i) + 2] = 1;
        }

        raw = new float[4 * capacity];
    }

    public void QueryDensity(ReadOnlySpan<float> positions, int count, Span<float> density)
    {
        int capacity = workspace.MaxPoints;
        for (int start = 0; start < count; start += capacity)
        {
            int n = Math.Min(capacity, count - start);
            field.Forward(positions.Slice(3 * start, 3 * n), directions, n, raw, workspace);
            for (int i = 0; i < n; i++)
            {
                density[start + i] = MathF.Max(0, raw[(3 * n) + i]);
            }
        }
    }
}
