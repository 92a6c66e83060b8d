namespace NerfSharp.Export;

/// <summary>Vertex normals of a triangle mesh: the area-weighted mean of the adjacent faces' normals, made unit length.</summary>
public static class MeshNormals
{
    /// <summary>Unit normals (xyz per vertex); a vertex whose faces cancel out (or that has none) gets +z.</summary>
    public static float[] Compute(TriangleMesh mesh)
    {
        float[] p = mesh.Positions;
        int[] t = mesh.Triangles;
        var sum = new double[p.Length];
        for (int i = 0; i < t.Length; i += 3)
        {
            int a = 3 * t[i], b = 3 * t[i + 1], c = 3 * t[i + 2];
            double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
            double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];

            // The cross product's length is twice the area: this weights each face by its area.
            double nx = (uy * vz) - (uz * vy), ny = (uz * vx) - (ux * vz), nz = (ux * vy) - (uy * vx);
            foreach (int v in (ReadOnlySpan<int>)[a, b, c])
            {
                sum[v] += nx;
                sum[v + 1] += ny;
                sum[v + 2] += nz;
            }
        }

        var normals = new float[p.Length];
        for (int v = 0; v < p.Length; v += 3)
        {
            double length = Math.Sqrt((sum[v] * sum[v]) + (sum[v + 1] * sum[v + 1]) + (sum[v + 2] * sum[v + 2]));
            if (length > 1e-30 && double.IsFinite(length))
            {
                normals[v] = (float)(sum[v] / length);
                normals[v + 1] = (float)(sum[v + 1] / length);
                normals[v + 2] = (float)(sum[v + 2] / length);
            }
            else
            {
                normals[v + 2] = 1;
            }
        }

        return normals;
    }
}
