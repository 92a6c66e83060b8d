using NerfSharp.Fields;
using NerfSharp.Sampling;

namespace NerfSharp.Export;

/// <summary>
/// A density query that is zero wherever an occupancy grid marks the cell empty (rendering skips those cells, so they
/// hold nothing that shows) and asks the inner field only about the other points.
/// </summary>
public sealed class OccupancyMaskedDensity : IDensityField
{
    private readonly IDensityField inner;
    private readonly OccupancyGrid grid;
    private readonly float[] packed;
    private readonly float[] packedDensity;
    private readonly int[] source;

    public OccupancyMaskedDensity(IDensityField inner, OccupancyGrid grid, int capacity)
    {
        this.inner = inner;
        this.grid = grid;
        packed = new float[3 * capacity];
        packedDensity = new float[capacity];
        source = new int[capacity];
    }

    public void QueryDensity(ReadOnlySpan<float> positions, int count, Span<float> density)
    {
        for (int start = 0; start < count; start += source.Length)
        {
            int n = Math.Min(source.Length, count - start), kept = 0;
            for (int i = start; i < start + n; i++)
            {
                float x = positions[3 * i], y = positions[(3 * i) + 1], z = positions[(3 * i) + 2];
                density[i] = 0;
                if (grid.Box.Contains(x, y, z) && grid.IsOccupied(x, y, z))
                {
                    packed[3 * kept] = x;
                    packed[(3 * kept) + 1] = y;
                    packed[(3 * kept) + 2] = z;
                    source[kept++] = i;
                }
            }

            inner.QueryDensity(packed, kept, packedDensity);
            for (int k = 0; k < kept; k++)
            {
                density[source[k]] = packedDensity[k];
            }
        }
    }
}
