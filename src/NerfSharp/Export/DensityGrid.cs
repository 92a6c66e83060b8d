using NerfSharp.Sampling;

namespace NerfSharp.Export;

/// <summary>
/// Scalar samples (density) on the corners of a regular grid spanning a box: <see cref="CellsX"/> x <see cref="CellsY"/> x
/// <see cref="CellsZ"/> cells, so one more sample than cells along each axis. Sample (i, j, k) sits at
/// box.Min + (i, j, k) * cell size and is stored at Values[(k * SamplesY + j) * SamplesX + i].
/// </summary>
public sealed class DensityGrid
{
    public DensityGrid(SceneBox bounds, int cellsX, int cellsY, int cellsZ, float[]? values = null)
    {
        if (cellsX < 1 || cellsY < 1 || cellsZ < 1)
        {
            throw new ArgumentException($"a density grid needs at least one cell per axis, got {cellsX}x{cellsY}x{cellsZ}");
        }

        Bounds = bounds;
        CellsX = cellsX;
        CellsY = cellsY;
        CellsZ = cellsZ;
        long count = (long)SamplesX * SamplesY * SamplesZ;
        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"a {cellsX}x{cellsY}x{cellsZ} density grid is too large");
        }

        Values = values ?? new float[count];
        if (Values.Length != count)
        {
            throw new ArgumentException($"a {cellsX}x{cellsY}x{cellsZ} grid holds {count} samples, got {Values.Length}");
        }
    }

    public SceneBox Bounds { get; }

    public int CellsX { get; }

    public int CellsY { get; }

    public int CellsZ { get; }

    public int SamplesX => CellsX + 1;

    public int SamplesY => CellsY + 1;

    public int SamplesZ => CellsZ + 1;

    public float[] Values { get; }

    public float CellSizeX => Bounds.SizeX / CellsX;

    public float CellSizeY => Bounds.SizeY / CellsY;

    public float CellSizeZ => Bounds.SizeZ / CellsZ;

    public int IndexOf(int i, int j, int k) => (((k * SamplesY) + j) * SamplesX) + i;

    /// <summary>World position of sample (i, j, k).</summary>
    public (float X, float Y, float Z) PositionOf(int i, int j, int k) =>
        (Bounds.MinX + (i * CellSizeX), Bounds.MinY + (j * CellSizeY), Bounds.MinZ + (k * CellSizeZ));

    /// <summary>
    /// Sets every sample on the grid's six faces to zero, so a surface with a positive threshold never leaves the grid:
    /// marching cubes then caps it at the box and the mesh is closed.
    /// </summary>
    public void ClearBoundary()
    {
        for (int k = 0; k < SamplesZ; k++)
        {
            for (int j = 0; j < SamplesY; j++)
            {
                for (int i = 0; i < SamplesX; i++)
                {
                    if (i == 0 || j == 0 || k == 0 || i == CellsX || j == CellsY || k == CellsZ)
                    {
                        Values[IndexOf(i, j, k)] = 0;
                    }
                }
            }
        }
    }

    /// <summary>A grid over <paramref name="bounds"/> whose cells are as near cubes as the resolution (cells along the longest side) allows.</summary>
    public static DensityGrid ForResolution(SceneBox bounds, int resolution)
    {
        if (resolution < 2)
        {
            throw new ArgumentException($"the grid resolution must be at least 2, got {resolution}");
        }

        float longest = MathF.Max(bounds.SizeX, MathF.Max(bounds.SizeY, bounds.SizeZ));
        int Cells(float size) => Math.Max(2, (int)MathF.Round(resolution * size / longest));
        return new DensityGrid(bounds, Cells(bounds.SizeX), Cells(bounds.SizeY), Cells(bounds.SizeZ));
    }
}
