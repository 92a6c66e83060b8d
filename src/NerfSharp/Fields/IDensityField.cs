namespace NerfSharp.Fields;

/// <summary>
/// A density-only query (nerfacc's sigma_fn): what occupancy grids, proposal samplers and mesh export need.
/// No gradients, no saved state: safe to call from a renderer while training runs on another context.
/// </summary>
public interface IDensityField
{
    /// <summary>
    /// Density (volume density sigma, >= 0, per unit length of world space) at <paramref name="count"/> world-space
    /// points, positions array-of-structures: point p at positions[3p .. 3p+2].
    /// </summary>
    void QueryDensity(ReadOnlySpan<float> positions, int count, Span<float> density);
}
