namespace NerfSharp.Export;

/// <summary>
/// An indexed triangle mesh: vertex positions (xyz per vertex), triangles (three vertex indices each, counter-clockwise
/// seen from outside), and optional unit vertex normals (xyz per vertex) and colours (rgb per vertex in [0, 1],
/// sRGB-encoded as the training images are, which is what PLY and OBJ readers expect).
/// </summary>
public sealed class TriangleMesh
{
    public TriangleMesh(float[] positions, int[] triangles, float[]? normals = null, float[]? colors = null)
    {
        if (positions.Length % 3 != 0 || triangles.Length % 3 != 0)
        {
            throw new ArgumentException($"positions ({positions.Length}) and triangle indices ({triangles.Length}) must come in threes");
        }

        int vertices = positions.Length / 3;
        if ((normals != null && normals.Length != positions.Length) || (colors != null && colors.Length != positions.Length))
        {
            throw new ArgumentException($"normals and colours need three values for each of the {vertices} vertices");
        }

        foreach (int v in triangles)
        {
            if ((uint)v >= (uint)vertices)
            {
                throw new ArgumentException($"triangle index {v} out of range for {vertices} vertices");
            }
        }

        Positions = positions;
        Triangles = triangles;
        Normals = normals;
        Colors = colors;
    }

    public float[] Positions { get; }

    public int[] Triangles { get; }

    public float[]? Normals { get; }

    public float[]? Colors { get; }

    public int VertexCount => Positions.Length / 3;

    public int TriangleCount => Triangles.Length / 3;

    /// <summary>This mesh with other normals and/or colours (null keeps the current ones).</summary>
    public TriangleMesh With(float[]? normals = null, float[]? colors = null) =>
        new(Positions, Triangles, normals ?? Normals, colors ?? Colors);

    /// <summary>The smallest and largest vertex coordinates; NaN for an empty mesh.</summary>
    public (float MinX, float MinY, float MinZ, float MaxX, float MaxY, float MaxZ) Bounds()
    {
        if (VertexCount == 0)
        {
            return (float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN);
        }

        float x0 = float.MaxValue, y0 = float.MaxValue, z0 = float.MaxValue;
        float x1 = float.MinValue, y1 = float.MinValue, z1 = float.MinValue;
        for (int i = 0; i < Positions.Length; i += 3)
        {
            x0 = MathF.Min(x0, Positions[i]);
            y0 = MathF.Min(y0, Positions[i + 1]);
            z0 = MathF.Min(z0, Positions[i + 2]);
            x1 = MathF.Max(x1, Positions[i]);
            y1 = MathF.Max(y1, Positions[i + 1]);
            z1 = MathF.Max(z1, Positions[i + 2]);
        }

        return (x0, y0, z0, x1, y1, z1);
    }
}
