namespace NerfSharp.Sampling;

/// <summary>
/// Where a hash-grid field's input comes from: the map of world points into the unit cube [0,1]^3. Unbounded scenes use
/// <see cref="SceneContraction"/> and then (c + 2) / 4 (nerfstudio's nerfacto); bounded scenes use a <see cref="SceneBox"/>'s
/// linear map, and points outside the box are empty (<see cref="Contains"/> is false there). Forward and backward per point.
/// </summary>
public sealed class SceneSpace
{
    private SceneSpace(ContractionNorm norm, SceneBox? box)
    {
        Norm = norm;
        Box = box;
    }

    /// <summary>The contraction's norm (unbounded spaces only).</summary>
    public ContractionNorm Norm { get; }

    /// <summary>The scene box of a bounded space; null when the space is contracted.</summary>
    public SceneBox? Box { get; }

    public bool IsBounded => Box.HasValue;

    /// <summary>All of space, contracted into the cube with <paramref name="norm"/>.</summary>
    public static SceneSpace Contracted(ContractionNorm norm) => new(norm, null);

    /// <summary>The inside of <paramref name="box"/>; nothing outside it.</summary>
    public static SceneSpace Bounded(SceneBox box) => new(ContractionNorm.LInfinity, box);

    /// <summary>Whether a world point can hold density (always, for a contracted space).</summary>
    public bool Contains(float x, float y, float z) => Box is not { } b || b.Contains(x, y, z);

    /// <summary>The field input in [0,1]^3 of a world point.</summary>
    public (float U, float V, float W) ToUnit(float x, float y, float z)
    {
        if (Box is { } b)
        {
            return b.ToUnit(x, y, z);
        }

        var (cx, cy, cz) = SceneContraction.Forward(Norm, x, y, z);
        return ((cx + 2f) * 0.25f, (cy + 2f) * 0.25f, (cz + 2f) * 0.25f);
    }

    /// <summary>dL/dworld of world point (x, y, z) from dL/dunit (gu, gv, gw).</summary>
    public (float X, float Y, float Z) Backward(float x, float y, float z, float gu, float gv, float gw)
    {
        if (Box is { } b)
        {
            return (gu / b.SizeX, gv / b.SizeY, gw / b.SizeZ);
        }

        return SceneContraction.Backward(Norm, x, y, z, 0.25f * gu, 0.25f * gv, 0.25f * gw);
    }

    /// <summary>
    /// Feature-major [3][n] world points to [3][n] unit-cube inputs; <paramref name="inside"/>[i] (when non-empty) is
    /// 1 where the point can hold density and 0 where it cannot.
    /// </summary>
    public void ToUnit(ReadOnlySpan<float> world, int n, Span<float> unit, Span<float> inside)
    {
        ReadOnlySpan<float> wx = world[..n], wy = world.Slice(n, n), wz = world.Slice(2 * n, n);
        Span<float> ux = unit[..n], uy = unit.Slice(n, n), uz = unit.Slice(2 * n, n);
        for (int i = 0; i < n; i++)
        {
            var (u, v, w) = ToUnit(wx[i], wy[i], wz[i]);
            ux[i] = u;
            uy[i] = v;
            uz[i] = w;
            if (!inside.IsEmpty)
            {
                inside[i] = Contains(wx[i], wy[i], wz[i]) ? 1f : 0f;
            }
        }
    }

    /// <summary>Feature-major backward: dL/dunit [3][n] at world points [3][n] -> dL/dworld [3][n] (OVERWRITTEN).</summary>
    public void Backward(ReadOnlySpan<float> world, int n, ReadOnlySpan<float> dLdUnit, Span<float> dLdWorld)
    {
        for (int i = 0; i < n; i++)
        {
            var (gx, gy, gz) = Backward(world[i], world[n + i], world[(2 * n) + i], dLdUnit[i], dLdUnit[n + i], dLdUnit[(2 * n) + i]);
            dLdWorld[i] = gx;
            dLdWorld[n + i] = gy;
            dLdWorld[(2 * n) + i] = gz;
        }
    }
}
