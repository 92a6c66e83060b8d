namespace NerfSharp.Export;

/// <summary>
/// Marching cubes over a <see cref="DensityGrid"/>: the surface where the density crosses a threshold, with the inside
/// (density &gt; threshold) enclosed and triangles wound counter-clockwise seen from outside. Crossing points are
/// interpolated linearly along grid edges, and each grid edge gets one vertex however many cubes share it, so the mesh is
/// closed wherever the surface does not leave the grid.
/// </summary>
public static class MarchingCubes
{
    /// <summary>Keeps crossing points this far (in edge lengths) from the grid samples, so no two vertices coincide.</summary>
    private const float EndMargin = 1e-3f;

    public static TriangleMesh Extract(DensityGrid grid, float threshold, Action<int, int>? onSlab = null)
    {
        if (!float.IsFinite(threshold))
        {
            throw new ArgumentException($"the surface threshold must be finite, got {threshold}");
        }

        int sx = grid.SamplesX, sy = grid.SamplesY;
        int layer = sx * sy;
        float[] v = grid.Values;

        // Vertex of each x and y edge of the slab's lower (0) and upper (1) sample layers, and of its z edges; -1: none yet.
        var xEdges = new[] { new int[layer], new int[layer] };
        var yEdges = new[] { new int[layer], new int[layer] };
        var zEdges = new int[layer];
        Array.Fill(xEdges[0], -1);
        Array.Fill(yEdges[0], -1);

        var positions = new List<float>();
        var triangles = new List<int>();
        Span<int> cubeVertex = stackalloc int[12];
        Span<float> corner = stackalloc float[8];
        for (int k = 0; k < grid.CellsZ; k++)
        {
            Array.Fill(xEdges[1], -1);
            Array.Fill(yEdges[1], -1);
            Array.Fill(zEdges, -1);
            for (int j = 0; j < grid.CellsY; j++)
            {
                for (int i = 0; i < grid.CellsX; i++)
                {
                    int caseIndex = 0;
                    for (int c = 0; c < 8; c++)
                    {
                        corner[c] = v[grid.IndexOf(i + (c & 1), j + ((c >> 1) & 1), k + ((c >> 2) & 1))];
                        if (corner[c] > threshold)
                        {
                            caseIndex |= 1 << c;
                        }
                    }

                    ReadOnlySpan<byte> tris = MarchingCubesTable.Triangles(caseIndex);
                    if (tris.IsEmpty)
                    {
                        continue;
                    }

                    cubeVertex.Fill(-1);
                    foreach (byte e in tris)
                    {
                        if (cubeVertex[e] >= 0)
                        {
                            continue;
                        }

                        var (a, b) = MarchingCubesTable.EdgeCorners[e];
                        int ai = i + (a & 1), aj = j + ((a >> 1) & 1), az = (a >> 2) & 1;
                        int cell = (aj * sx) + ai;
                        int[] slots = e < 4 ? xEdges[az] : e < 8 ? yEdges[az] : zEdges;
                        ref int slot = ref slots[cell];
                        if (slot < 0)
                        {
                            slot = positions.Count / 3;
                            float t = (threshold - corner[a]) / (corner[b] - corner[a]);
                            t = float.IsFinite(t) ? Math.Clamp(t, EndMargin, 1 - EndMargin) : 0.5f;
                            var (x, y, z) = grid.PositionOf(ai, aj, k + az);
                            int axis = e >> 2;
                            positions.Add(x + (axis == 0 ? t * grid.CellSizeX : 0));
                            positions.Add(y + (axis == 1 ? t * grid.CellSizeY : 0));
                            positions.Add(z + (axis == 2 ? t * grid.CellSizeZ : 0));
                        }

                        cubeVertex[e] = slot;
                    }

                    foreach (byte e in tris)
                    {
                        triangles.Add(cubeVertex[e]);
                    }
                }
            }

            (xEdges[0], xEdges[1]) = (xEdges[1], xEdges[0]);
            (yEdges[0], yEdges[1]) = (yEdges[1], yEdges[0]);
            onSlab?.Invoke(k + 1, grid.CellsZ);
        }

        return new TriangleMesh([.. positions], [.. triangles]);
    }
}
