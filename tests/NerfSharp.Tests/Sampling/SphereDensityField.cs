using NerfSharp.Fields;

namespace NerfSharp.Tests.Sampling;

/// <summary>A solid sphere of constant density (0 outside), counting queries and the largest batch asked for.</summary>
internal sealed class SphereDensityField(float cx, float cy, float cz, float radius, float density) : IDensityField
{
    public int Calls { get; private set; }

    public int LargestBatch { get; private set; }

    public float Density { get; set; } = density;

    public bool Inside(float x, float y, float z)
    {
        float dx = x - cx, dy = y - cy, dz = z - cz;
        return (dx * dx) + (dy * dy) + (dz * dz) < radius * radius;
    }

    public void QueryDensity(ReadOnlySpan<float> positions, int count, Span<float> density)
    {
        Calls++;
        LargestBatch = Math.Max(LargestBatch, count);
        for (int p = 0; p < count; p++)
        {
            density[p] = Inside(positions[3 * p], positions[(3 * p) + 1], positions[(3 * p) + 2]) ? Density : 0;
        }
    }
}
