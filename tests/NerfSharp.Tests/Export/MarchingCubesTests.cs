using NerfSharp.Export;
using NerfSharp.Numerics;
using NerfSharp.Sampling;

namespace NerfSharp.Tests.Export;

public class MarchingCubesTests
{
    [Fact]
    public void EveryCaseCrossesEachSignChangingEdgeOnceAndNoOther()
    {
        for (int c = 0; c < 256; c++)
        {
            var seen = new int[12];
            foreach (int[] loop in MarchingCubesTable.Loops(c))
            {
                Assert.True(loop.Length >= 3, $"case {c}: a loop of {loop.Length} crossings");
                foreach (int e in loop)
                {
                    seen[e]++;
                }
            }

            for (int e = 0; e < 12; e++)
            {
                var (a, b) = MarchingCubesTable.EdgeCorners[e];
                int expected = (((c >> a) ^ (c >> b)) & 1) != 0 ? 1 : 0;
                Assert.True(seen[e] == expected, $"case {c}: edge {e} crossed {seen[e]} times, expected {expected}");
            }

            Assert.Equal(0, MarchingCubesTable.Triangles(c).Length % 3);
        }

        Assert.True(MarchingCubesTable.Triangles(0).IsEmpty);
        Assert.True(MarchingCubesTable.Triangles(255).IsEmpty);
        Assert.Equal(3, MarchingCubesTable.Triangles(1).Length);
    }

    [Fact]
    public void EachCaseAloneInAnEmptyGridGivesAClosedOutwardSurface()
    {
        for (int c = 1; c < 255; c++)
        {
            // A 3x3x3-cell grid whose middle cell carries the case; every other sample is outside.
            var grid = new DensityGrid(SceneBox.Cube(1.5f), 3, 3, 3);
            for (int corner = 0; corner < 8; corner++)
            {
                grid.Values[grid.IndexOf(1 + (corner & 1), 1 + ((corner >> 1) & 1), 1 + ((corner >> 2) & 1))] = ((c >> corner) & 1) != 0 ? 1 : -1;
            }

            for (int i = 0; i < grid.Values.Length; i++)
            {
                if (grid.Values[i] == 0)
                {
                    grid.Values[i] = -1;
                }
            }

            TriangleMesh mesh = MarchingCubes.Extract(grid, 0);
            MeshChecks.AssertClosedAndConsistentlyOriented(mesh, $"case {c}");
            Assert.True(MeshChecks.SignedVolume(mesh) > 0, $"case {c}: normals point inwards");
        }
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.3)]
    [InlineData(3, 0.7)]
    public void RandomGridsGiveClosedConsistentlyOrientedSurfaces(int seed, double insideFraction)
    {
        var rng = new Rng((ulong)seed);
        for (int trial = 0; trial < 50; trial++)
        {
            var grid = new DensityGrid(SceneBox.Cube(1), 7, 6, 5);
            for (int k = 0; k < grid.SamplesZ; k++)
            {
                for (int j = 0; j < grid.SamplesY; j++)
                {
                    for (int i = 0; i < grid.SamplesX; i++)
                    {
                        bool border = i == 0 || j == 0 || k == 0 || i == grid.CellsX || j == grid.CellsY || k == grid.CellsZ;
                        bool inside = !border && rng.NextDouble() < insideFraction;

                        // Random magnitudes, so the crossings move along the edges.
                        grid.Values[grid.IndexOf(i, j, k)] = (float)(inside ? 0.01 + rng.NextDouble() : -0.01 - rng.NextDouble());
                    }
                }
            }

            TriangleMesh mesh = MarchingCubes.Extract(grid, 0);
            Assert.True(mesh.TriangleCount > 0);
            MeshChecks.AssertClosedAndConsistentlyOriented(mesh, $"seed {seed} trial {trial}");
            Assert.True(MeshChecks.SignedVolume(mesh) > 0, $"seed {seed} trial {trial}: normals point inwards");
        }
    }

    [Fact]
    public void ASurfaceLeavingTheBoxIsCappedWhenTheBoundaryIsCleared()
    {
        // Density 1 everywhere: no surface inside the grid at all, until the boundary is cleared; then a closed box whose
        // faces sit halfway along the boundary cells' edges (crossings at 0.5 between 0 and 1).
        var grid = new DensityGrid(SceneBox.Cube(1), 10, 10, 10);
        Array.Fill(grid.Values, 1f);
        Assert.Equal(0, MarchingCubes.Extract(grid, 0.5f).TriangleCount);
        grid.ClearBoundary();
        TriangleMesh mesh = MarchingCubes.Extract(grid, 0.5f);
        MeshChecks.AssertClosedAndConsistentlyOriented(mesh, "capped box");
        double side = 2 - (2 * 0.5 * 0.2); // halfway along the first cell on each side
        Assert.InRange(MeshChecks.SignedVolume(mesh), 0.97 * side * side * side, side * side * side); // bevelled edges and corners
    }

    [Fact]
    public void SphereHasTheRightAreaVolumeAndOutwardNormals()
    {
        const float r = 0.7f;
        float cx = 0.1f, cy = -0.05f, cz = 0.03f;
        var grid = new DensityGrid(SceneBox.Cube(1), 80, 80, 80);
        for (int k = 0; k < grid.SamplesZ; k++)
        {
            for (int j = 0; j < grid.SamplesY; j++)
            {
                for (int i = 0; i < grid.SamplesX; i++)
                {
                    var (x, y, z) = grid.PositionOf(i, j, k);
                    float d = MathF.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) + ((z - cz) * (z - cz)));
                    grid.Values[grid.IndexOf(i, j, k)] = 10 * (r - d); // a density that grows inwards
                }
            }
        }

        TriangleMesh mesh = MarchingCubes.Extract(grid, 0);
        MeshChecks.AssertClosedAndConsistentlyOriented(mesh, "sphere");
        Assert.InRange(MeshChecks.Area(mesh), 4 * Math.PI * r * r * 0.99, 4 * Math.PI * r * r * 1.001);
        Assert.InRange(MeshChecks.SignedVolume(mesh), 4.0 / 3 * Math.PI * r * r * r * 0.99, 4.0 / 3 * Math.PI * r * r * r * 1.001);
        for (int i = 0; i < mesh.Triangles.Length; i += 3)
        {
            var n = MeshChecks.Cross(mesh, i);
            float[] p = mesh.Positions;
            int a = 3 * mesh.Triangles[i];
            double outward = (n.X * (p[a] - cx)) + (n.Y * (p[a + 1] - cy)) + (n.Z * (p[a + 2] - cz));
            Assert.True(outward > 0, $"triangle {i / 3} faces inwards");
        }

        for (int v = 0; v < mesh.VertexCount; v++)
        {
            float[] p = mesh.Positions;
            double d = Math.Sqrt(Math.Pow(p[3 * v] - cx, 2) + Math.Pow(p[(3 * v) + 1] - cy, 2) + Math.Pow(p[(3 * v) + 2] - cz, 2));
            Assert.InRange(d, r - 1e-3, r + 1e-3); // within 4% of a cell: the field is linear in the distance
        }
    }
}
