using NerfSharp.Export;
using NerfSharp.Fields;
using NerfSharp.Sampling;

namespace NerfSharp.Tests.Export;

public class SurfaceColoringTests
{
    /// <summary>A solid ball of density 200 whose colour varies with x (red = (x + 1) / 2), the same from every direction.</summary>
    private sealed class ColoredBall : IRadianceField
    {
        public const float Radius = 0.6f;

        public void QueryDensity(ReadOnlySpan<float> positions, int count, Span<float> density)
        {
            for (int i = 0; i < count; i++)
            {
                float x = positions[3 * i], y = positions[(3 * i) + 1], z = positions[(3 * i) + 2];
                density[i] = (x * x) + (y * y) + (z * z) < Radius * Radius ? 200 : 0;
            }
        }

        public void QueryRadiance(ReadOnlySpan<float> positions, ReadOnlySpan<float> directions, int count, Span<float> density, Span<float> rgb)
        {
            QueryDensity(positions, count, density);
            for (int i = 0; i < count; i++)
            {
                rgb[3 * i] = (positions[3 * i] + 1) / 2;
                rgb[(3 * i) + 1] = 0.5f;
                rgb[(3 * i) + 2] = density[i] > 0 ? 0.25f : 1f; // blue shows whether empty space leaked into the colour
            }
        }
    }

    [Fact]
    public void VertexColoursComeFromTheSurfaceAlongTheNormal()
    {
        var ball = new ColoredBall();
        var grid = new DensityGrid(SceneBox.Cube(1), 40, 40, 40);
        DensityGridSampler.Fill(grid, _ => ball);
        TriangleMesh mesh = MarchingCubes.Extract(grid, 10);
        mesh = mesh.With(normals: MeshNormals.Compute(mesh));
        float[] colors = SurfaceColoring.Compute(_ => new ColoredBall(), mesh, offset: 0.1f);
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            float x = mesh.Positions[3 * v];
            Assert.Equal((x + 1) / 2, colors[3 * v], 0.06f);
            Assert.Equal(0.5f, colors[(3 * v) + 1], 1e-5f);
            Assert.Equal(0.25f, colors[(3 * v) + 2], 1e-5f);
        }
    }
}
