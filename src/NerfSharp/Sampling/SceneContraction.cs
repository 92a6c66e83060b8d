namespace NerfSharp.Sampling;

/// <summary>The norm a <see cref="SceneContraction"/> measures distance from the origin with.</summary>
public enum ContractionNorm
{
    /// <summary>Euclidean norm: the contracted space is the ball of radius 2 (mip-NeRF 360).</summary>
    L2,

    /// <summary>Largest absolute coordinate: the contracted space is the cube [-2, 2]^3 (nerfstudio's nerfacto default).</summary>
    LInfinity,
}

/// <summary>
/// mip-NeRF 360's scene contraction, as nerfstudio's <c>SceneContraction</c>: with m = |x| in the chosen norm,
/// contract(x) = x where m &lt;= 1 and (2 - 1/m) x / m beyond, mapping all of space into the radius-2 ball (L2) or cube
/// (L-infinity). Forward and backward on single points; the Jacobian is f I + f'(m) x (dm/dx)^T with f(m) = 2/m - 1/m^2.
/// </summary>
public static class SceneContraction
{
    /// <summary>The contracted point of (x, y, z).</summary>
    public static (float X, float Y, float Z) Forward(ContractionNorm norm, float x, float y, float z)
    {
        float m = Magnitude(norm, x, y, z);
        if (m <= 1f)
        {
            return (x, y, z);
        }

        float f = (2f - (1f / m)) / m;
        return (x * f, y * f, z * f);
    }

    /// <summary>
    /// dL/dx of a point (x, y, z) from dL/dcontract(x) (gx, gy, gz): J^T g. In the L-infinity norm the largest coordinate
    /// (the first on ties) carries dm/dx; m = 1 exactly counts as inside.
    /// </summary>
    public static (float X, float Y, float Z) Backward(ContractionNorm norm, float x, float y, float z, float gx, float gy, float gz)
    {
        float m = Magnitude(norm, x, y, z);
        if (m <= 1f)
        {
            return (gx, gy, gz);
        }

        // f(m) = 2/m - 1/m^2, f'(m) = -2/m^2 + 2/m^3; contract = f(m) x.
        double md = m;
        double f = (2.0 / md) - (1.0 / (md * md));
        double df = (-2.0 / (md * md)) + (2.0 / (md * md * md));
        double xg = ((double)x * gx) + ((double)y * gy) + ((double)z * gz);
        double c = df * xg;
        if (norm == ContractionNorm.L2)
        {
            // dm/dx = x / m.
            double k = c / md;
            return ((float)((f * gx) + (k * x)), (float)((f * gy) + (k * y)), (float)((f * gz) + (k * z)));
        }

        // dm/dx = sign(x_k) e_k for the coordinate k of largest magnitude.
        double rx = f * gx, ry = f * gy, rz = f * gz;
        float ax = MathF.Abs(x), ay = MathF.Abs(y), az = MathF.Abs(z);
        if (ax >= ay && ax >= az)
        {
            rx += c * MathF.Sign(x);
        }
        else if (ay >= az)
        {
            ry += c * MathF.Sign(y);
        }
        else
        {
            rz += c * MathF.Sign(z);
        }

        return ((float)rx, (float)ry, (float)rz);
    }

    /// <summary>|x| in <paramref name="norm"/>.</summary>
    public static float Magnitude(ContractionNorm norm, float x, float y, float z) => norm == ContractionNorm.L2
        ? MathF.Sqrt((x * x) + (y * y) + (z * z))
        : MathF.Max(MathF.Abs(x), MathF.Max(MathF.Abs(y), MathF.Abs(z)));
}
