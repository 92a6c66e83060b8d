namespace NerfSharp.Export;

/// <summary>
/// Connected pieces of a triangle mesh (triangles joined through shared vertices), and the removal of small ones:
/// the floaters a radiance field leaves in empty space.
/// </summary>
public static class MeshComponents
{
    /// <summary>The component of each vertex (0, 1, ... in order of first appearance) and the component count.</summary>
    public static (int[] Labels, int Count) Label(TriangleMesh mesh)
    {
        int n = mesh.VertexCount;
        var parent = new int[n];
        for (int v = 0; v < n; v++)
        {
            parent[v] = v;
        }

        int Find(int v)
        {
            while (parent[v] != v)
            {
                parent[v] = parent[parent[v]];
                v = parent[v];
            }

            return v;
        }

        int[] t = mesh.Triangles;
        for (int i = 0; i < t.Length; i += 3)
        {
            for (int k = 1; k < 3; k++)
            {
                int a = Find(t[i]), b = Find(t[i + k]);
                if (a != b)
                {
                    parent[Math.Max(a, b)] = Math.Min(a, b);
                }
            }
        }

        var labels = new int[n];
        var labelOfRoot = new int[n];
        Array.Fill(labelOfRoot, -1);
        int count = 0;
        for (int v = 0; v < n; v++)
        {
            int root = Find(v);
            if (labelOfRoot[root] < 0)
            {
                labelOfRoot[root] = count++;
            }

            labels[v] = labelOfRoot[root];
        }

        return (labels, count);
    }

    /// <summary>
    /// The mesh without the components that have fewer than <paramref name="minFraction"/> times the triangles of the
    /// largest one; unused vertices are dropped and the rest keep their order.
    /// </summary>
    public static TriangleMesh RemoveSmall(TriangleMesh mesh, double minFraction)
    {
        if (!(minFraction >= 0 && minFraction <= 1))
        {
            throw new ArgumentException($"the smallest component to keep is a fraction of the largest in [0, 1], got {minFraction}");
        }

        if (mesh.TriangleCount == 0 || minFraction == 0)
        {
            return mesh;
        }

        var (labels, count) = Label(mesh);
        var triangles = new long[count];
        int[] t = mesh.Triangles;
        for (int i = 0; i < t.Length; i += 3)
        {
            triangles[labels[t[i]]]++;
        }

        long largest = triangles.Max();
        var keep = new bool[count];
        for (int c = 0; c < count; c++)
        {
            keep[c] = triangles[c] >= minFraction * largest;
        }

        var newIndex = new int[mesh.VertexCount];
        int kept = 0;
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            newIndex[v] = keep[labels[v]] && triangles[labels[v]] > 0 ? kept++ : -1;
        }

        var positions = new float[3 * kept];
        float[]? normals = mesh.Normals != null ? new float[3 * kept] : null;
        float[]? colors = mesh.Colors != null ? new float[3 * kept] : null;
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            int w = newIndex[v];
            if (w < 0)
            {
                continue;
            }

            mesh.Positions.AsSpan(3 * v, 3).CopyTo(positions.AsSpan(3 * w));
            mesh.Normals?.AsSpan(3 * v, 3).CopyTo(normals.AsSpan(3 * w));
            mesh.Colors?.AsSpan(3 * v, 3).CopyTo(colors.AsSpan(3 * w));
        }

        var kept3 = new List<int>(t.Length);
        for (int i = 0; i < t.Length; i += 3)
        {
            if (newIndex[t[i]] >= 0)
            {
                kept3.Add(newIndex[t[i]]);
                kept3.Add(newIndex[t[i + 1]]);
                kept3.Add(newIndex[t[i + 2]]);
            }
        }

        return new TriangleMesh(positions, [.. kept3], normals, colors);
    }
}
