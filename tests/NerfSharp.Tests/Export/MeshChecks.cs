using NerfSharp.Export;

namespace NerfSharp.Tests.Export;

/// <summary>Topology and measure of triangle meshes: closedness, orientation, area and enclosed volume.</summary>
public static class MeshChecks
{
    /// <summary>
    /// Asserts that every edge is shared by exactly two triangles that traverse it in opposite directions (a closed,
    /// consistently oriented surface) and that no triangle repeats a vertex.
    /// </summary>
    public static void AssertClosedAndConsistentlyOriented(TriangleMesh mesh, string what)
    {
        var directed = new HashSet<(int, int)>();
        int[] t = mesh.Triangles;
        for (int i = 0; i < t.Length; i += 3)
        {
            for (int k = 0; k < 3; k++)
            {
                int a = t[i + k], b = t[i + ((k + 1) % 3)];
                Assert.True(a != b, $"{what}: triangle {i / 3} repeats vertex {a}");
                Assert.True(directed.Add((a, b)), $"{what}: directed edge {a}->{b} used twice (non-manifold or inconsistent winding)");
            }
        }

        foreach (var (a, b) in directed)
        {
            Assert.True(directed.Contains((b, a)), $"{what}: edge {a}-{b} has one triangle only (a hole)");
        }
    }

    public static double Area(TriangleMesh mesh)
    {
        double area = 0;
        for (int i = 0; i < mesh.Triangles.Length; i += 3)
        {
            var (nx, ny, nz) = Cross(mesh, i);
            area += 0.5 * Math.Sqrt((nx * nx) + (ny * ny) + (nz * nz));
        }

        return area;
    }

    /// <summary>Signed enclosed volume (divergence theorem): positive when the normals point outwards.</summary>
    public static double SignedVolume(TriangleMesh mesh)
    {
        double volume = 0;
        float[] p = mesh.Positions;
        int[] t = mesh.Triangles;
        for (int i = 0; i < t.Length; i += 3)
        {
            int a = 3 * t[i], b = 3 * t[i + 1], c = 3 * t[i + 2];
            double det = (p[a] * (((double)p[b + 1] * p[c + 2]) - ((double)p[b + 2] * p[c + 1])))
                - (p[a + 1] * (((double)p[b] * p[c + 2]) - ((double)p[b + 2] * p[c])))
                + (p[a + 2] * (((double)p[b] * p[c + 1]) - ((double)p[b + 1] * p[c])));
            volume += det / 6;
        }

        return volume;
    }

    /// <summary>(b - a) x (c - a) of the triangle starting at index <paramref name="i"/> of the index list.</summary>
    public static (double X, double Y, double Z) Cross(TriangleMesh mesh, int i)
    {
        float[] p = mesh.Positions;
        int a = 3 * mesh.Triangles[i], b = 3 * mesh.Triangles[i + 1], c = 3 * mesh.Triangles[i + 2];
        double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
        double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
        return ((uy * vz) - (uz * vy), (uz * vx) - (ux * vz), (ux * vy) - (uy * vx));
    }
}
