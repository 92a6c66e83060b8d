using NerfSharp.Export;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Export;

public class MeshWriterTests
{
    /// <summary>A tetrahedron with normals and colours.</summary>
    private static TriangleMesh Tetrahedron() => new(
        [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1.5f],
        [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3],
        [-0.577f, -0.577f, -0.577f, 1, 0, 0, 0, 1, 0, 0, 0, 1],
        [0, 0.5f, 1, 1, 0, 0, 0.25f, 0.75f, 0.1f, 0.999f, 0.001f, 0.5f]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PlyMeshReadsBack(bool ascii)
    {
        using var dir = new TempDirectory();
        TriangleMesh mesh = Tetrahedron();
        string path = dir.Combine("t.ply");
        PlyWriter.Write(path, mesh, ascii);
        var ply = PlyReader.Read(path);
        Assert.Equal(ascii ? "ascii" : "binary_little_endian", ply.Format);
        Assert.Equal(["x", "y", "z", "nx", "ny", "nz", "red", "green", "blue"], ply.VertexProperties);
        Assert.Equal(mesh.VertexCount, ply.Vertices.Count);
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(mesh.Positions[(3 * v) + k], ply.Vertices[v][k]);
                Assert.Equal(mesh.Normals![(3 * v) + k], ply.Vertices[v][3 + k]);
                Assert.Equal(MathF.Round(mesh.Colors![(3 * v) + k] * 255), ply.Vertices[v][6 + k]);
            }
        }

        Assert.Equal(mesh.Triangles, ply.Faces.SelectMany(f => f).ToArray());
    }

    [Fact]
    public void PlyPointCloudReadsBackWithoutFaces()
    {
        using var dir = new TempDirectory();
        var cloud = new PointCloud([1, 2, 3, -4, 5.5f, 6], [0.5f, 0.5f, 0.5f, 1, 0, 0], [0, 0, 1, 1, 0, 0]);
        string path = dir.Combine("c.ply");
        PlyWriter.Write(path, cloud);
        var ply = PlyReader.Read(path);
        Assert.Equal(2, ply.Vertices.Count);
        Assert.Empty(ply.Faces);
        Assert.Equal(-4, ply.Get(1, "x"));
        Assert.Equal(1, ply.Get(1, "nx"));
        Assert.Equal(255, ply.Get(1, "red"));
        Assert.Equal(128, ply.Get(0, "green"));
    }

    [Fact]
    public void ObjReadsBack()
    {
        using var dir = new TempDirectory();
        TriangleMesh mesh = Tetrahedron();
        string path = dir.Combine("t.obj");
        ObjWriter.Write(path, mesh);
        var obj = ObjReader.Read(path);
        Assert.Equal(mesh.VertexCount, obj.Vertices.Count);
        Assert.Equal(mesh.VertexCount, obj.Normals.Count);
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            Assert.Equal(6, obj.Vertices[v].Length);
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(mesh.Positions[(3 * v) + k], obj.Vertices[v][k]);
                Assert.Equal(mesh.Colors![(3 * v) + k], obj.Vertices[v][3 + k], 4);
                Assert.Equal(mesh.Normals![(3 * v) + k], obj.Normals[v][k]);
            }
        }

        Assert.Equal(mesh.Triangles, obj.Faces.SelectMany(f => f).ToArray());
    }

    [Fact]
    public void SmallComponentsAreRemovedAndTheRestKept()
    {
        // A big tetrahedron (4 triangles) and a far, single triangle (1 triangle = 25% of the largest).
        TriangleMesh big = Tetrahedron();
        float[] positions = [.. big.Positions, 10, 10, 10, 11, 10, 10, 10, 11, 10];
        int[] triangles = [.. big.Triangles, 4, 5, 6];
        var mesh = new TriangleMesh(positions, triangles);
        Assert.Equal(2, MeshComponents.Label(mesh).Count);
        Assert.Equal(5, MeshComponents.RemoveSmall(mesh, 0.2).TriangleCount);
        TriangleMesh kept = MeshComponents.RemoveSmall(mesh, 0.3);
        Assert.Equal(4, kept.TriangleCount);
        Assert.Equal(4, kept.VertexCount);
        Assert.Equal(big.Positions, kept.Positions);
        Assert.Equal(big.Triangles, kept.Triangles);
    }

    [Fact]
    public void SrgbToLinearMatchesTheStandardCurve()
    {
        Assert.Equal(0f, GlbWriter.SrgbToLinear(0));
        Assert.Equal(1f, GlbWriter.SrgbToLinear(1), 5);
        Assert.Equal(0.2140f, GlbWriter.SrgbToLinear(0.5f), 3);
        Assert.Equal(0.04045f / 12.92f, GlbWriter.SrgbToLinear(0.04045f), 6);
    }
}
