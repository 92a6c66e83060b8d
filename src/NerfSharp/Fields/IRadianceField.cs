namespace NerfSharp.Fields;

/// <summary>
/// A density-and-colour query for inference (vertex colours of an exported mesh): no gradients, no saved state, its own
/// buffers, so it can run while training goes on with another context.
/// </summary>
public interface IRadianceField : IDensityField
{
    /// <summary>
    /// Density (per world unit) and colour (rgb in [0, 1]) at <paramref name="count"/> world-space points seen along unit
    /// directions; positions, directions and rgb are array-of-structures (point p at [3p .. 3p+2]).
    /// </summary>
    void QueryRadiance(ReadOnlySpan<float> positions, ReadOnlySpan<float> directions, int count, Span<float> density, Span<float> rgb);
}
