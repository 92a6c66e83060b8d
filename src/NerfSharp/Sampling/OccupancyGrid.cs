using System.Numerics;
using NerfSharp.Fields;
using NerfSharp.Numerics;

namespace NerfSharp.Sampling;

/// <summary>
/// instant-ngp's density grid as nerfacc's <c>OccGridEstimator</c> keeps it (one level): Resolution^3 cells over a
/// <see cref="SceneBox"/>, each holding an exponential moving maximum of the optical thickness a marching step would
/// see there, and an occupancy bit per cell that ray marching consults to skip empty space.
/// <para>
/// Units: <see cref="Values"/> hold density * <see cref="StepSize"/> (density per world unit times the world length of
/// one marching step), as instant-ngp stores "optical thickness of the smallest step" and nerfacc's examples pass
/// <c>density * render_step_size</c> to the update; the threshold <see cref="OccupancyGridConfig.OccupancyThreshold"/>
/// is in the same units. A cell is occupied when its value is above min(mean of all cells, OccupancyThreshold)
/// (instant-ngp's mean over the whole grid; nerfacc averages only positive cells).
/// </para>
/// <para>
/// Cell (i, j, k) (along x, y, z) is entry i + R (j + R k) of <see cref="Values"/>: x varies fastest.
/// A fresh grid holds zeros and marks nothing occupied: run <see cref="Update"/> at step 0 before marching.
/// The query buffers are allocated once; an update allocates nothing after the first post-warm-up one. Marching may
/// read the grid from several threads, but not while <see cref="Update"/> or <see cref="RestoreState"/> runs.
/// </para>
/// </summary>
public sealed class OccupancyGrid
{
    private readonly int resolution;
    private readonly float cellX, cellY, cellZ;
    private readonly float invCellX, invCellY, invCellZ;
    private readonly ulong[] bits;
    private readonly ulong[][] mips;
    private readonly int[] mipResolution;
    private readonly float[] values;
    private readonly float[] positions;
    private readonly float[] density;
    private readonly int[] batchCells;
    private int[] chosen = [];
    private int[] occupiedList = [];
    private float[] sampleMax = [];
    private int occupiedCount;

    public OccupancyGrid(SceneBox box, OccupancyGridConfig? config = null)
    {
        Config = config ?? new OccupancyGridConfig();
        Config.Validate();
        Box = box;
        resolution = Config.Resolution;
        StepSize = Config.StepSize ?? RayMarcher.DefaultStepSize(box);
        CellCount = resolution * resolution * resolution;
        cellX = box.SizeX / resolution;
        cellY = box.SizeY / resolution;
        cellZ = box.SizeZ / resolution;
        invCellX = resolution / box.SizeX;
        invCellY = resolution / box.SizeY;
        invCellZ = resolution / box.SizeZ;
        values = new float[CellCount];
        bits = new ulong[(CellCount + 63) / 64];

        // Coarser occupancy levels (instant-ngp's bitfield mips): level L has ceil(R / 2^L) cells per axis, a cell
        // being occupied when any of the fine cells it covers is; level 0 is the grid itself, the last has 1 cell.
        int levels = 1;
        while (((resolution + (1 << (levels - 1)) - 1) >> (levels - 1)) > 1)
        {
            levels++;
        }

        mips = new ulong[levels][];
        mipResolution = new int[levels];
        mips[0] = bits;
        mipResolution[0] = resolution;
        for (int level = 1; level < levels; level++)
        {
            int r = (resolution + (1 << level) - 1) >> level;
            mipResolution[level] = r;
            mips[level] = new ulong[((r * r * r) + 63) / 64];
        }
        int batch = Math.Min(Config.QueryBatch, CellCount);
        positions = new float[3 * batch];
        density = new float[batch];
        batchCells = new int[batch];
    }

    public OccupancyGridConfig Config { get; }

    public SceneBox Box { get; }

    public int Resolution => resolution;

    /// <summary>Resolution^3.</summary>
    public int CellCount { get; }

    /// <summary>World-space marching step whose optical thickness the values store (density * StepSize).</summary>
    public float StepSize { get; }

    /// <summary>Binarisation threshold of the last rebuild (optical-thickness units).</summary>
    public float Threshold { get; private set; }

    /// <summary>
    /// The EMA grid (density * <see cref="StepSize"/>), Resolution^3 entries, x fastest: the non-trainable state a
    /// checkpoint saves. Read it; change it only through <see cref="Update"/> or <see cref="RestoreState"/>.
    /// </summary>
    public float[] Values => values;

    /// <summary>Occupied cells over all cells.</summary>
    public double OccupiedFraction => (double)occupiedCount / CellCount;

    /// <summary>Number of occupied cells.</summary>
    public int OccupiedCount => occupiedCount;

    internal float CellSizeX => cellX;

    internal float CellSizeY => cellY;

    internal float CellSizeZ => cellZ;

    internal float InvCellSizeX => invCellX;

    internal float InvCellSizeY => invCellY;

    internal float InvCellSizeZ => invCellZ;

    internal ulong[] Bits => bits;

    /// <summary>Occupancy bits per level (level 0 is <see cref="Bits"/>); level L cell (i, j, k) covers fine cells i 2^L .. (i+1) 2^L - 1 per axis.</summary>
    internal ulong[][] MipBits => mips;

    /// <summary>Cells per axis of each level in <see cref="MipBits"/>.</summary>
    internal int[] MipResolution => mipResolution;

    /// <summary>Whether the world point lies in the box and in an occupied cell.</summary>
    public bool IsOccupied(float x, float y, float z)
    {
        if (!Box.Contains(x, y, z))
        {
            return false;
        }

        return IsCellOccupied(CellOf(x, y, z));
    }

    /// <summary>Whether cell <paramref name="cell"/> (linear index, x fastest) is occupied.</summary>
    public bool IsCellOccupied(int cell) => (bits[cell >> 6] & (1UL << (cell & 63))) != 0;

    /// <summary>Linear index of the cell holding a world point, clamped to the grid (points outside map to the nearest cell).</summary>
    public int CellOf(float x, float y, float z)
    {
        int r1 = resolution - 1;
        int i = Math.Clamp((int)((x - Box.MinX) * invCellX), 0, r1);
        int j = Math.Clamp((int)((y - Box.MinY) * invCellY), 0, r1);
        int k = Math.Clamp((int)((z - Box.MinZ) * invCellZ), 0, r1);
        return i + (resolution * (j + (resolution * k)));
    }

    /// <summary>
    /// nerfacc's <c>update_every_n_steps</c>: does nothing unless <paramref name="step"/> is a multiple of
    /// <see cref="OccupancyGridConfig.UpdateEvery"/>. Below <see cref="OccupancyGridConfig.WarmupSteps"/> every cell is
    /// evaluated; afterwards Resolution^3/4 cells drawn uniformly (with replacement) plus the occupied cells (all of
    /// them if there are at most as many, else as many drawn uniformly from them). Each chosen cell is evaluated at one
    /// jittered point inside it; a cell's value becomes max(value * decay, density * StepSize), where a cell chosen
    /// more than once takes the largest of its fresh values (nerfacc's scatter-max form) and decays once. Then the
    /// threshold and occupancy bits are rebuilt. Random numbers, in order: the uniform cell draws, the occupied-cell
    /// draws, then three jitters (x, y, z) per chosen cell in order. Deterministic given the rng and the field.
    /// </summary>
    public void Update(long step, IDensityField field, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(rng);
        if (step % Config.UpdateEvery != 0)
        {
            return;
        }

        if (step < Config.WarmupSteps)
        {
            UpdateAllCells(field, rng);
        }
        else
        {
            UpdateSampledCells(field, rng);
        }

        RebuildBits();
    }

    /// <summary>Loads <see cref="Values"/> (as saved from a grid of the same resolution) and rebuilds the occupancy bits.</summary>
    public void RestoreState(ReadOnlySpan<float> saved)
    {
        if (saved.Length != CellCount)
        {
            throw new ArgumentException($"occupancy grid state holds {saved.Length} values, a {resolution}^3 grid needs {CellCount}", nameof(saved));
        }

        saved.CopyTo(values);
        RebuildBits();
    }

    private void UpdateAllCells(IDensityField field, Rng rng)
    {
        float decay = Config.EmaDecay;
        int batch = density.Length;
        for (int start = 0; start < CellCount; start += batch)
        {
            int n = Math.Min(batch, CellCount - start);
            for (int c = 0; c < n; c++)
            {
                batchCells[c] = start + c;
            }

            Evaluate(field, rng, n);
            for (int c = 0; c < n; c++)
            {
                int cell = start + c;
                values[cell] = MathF.Max(values[cell] * decay, density[c]);
            }
        }
    }

    private void UpdateSampledCells(IDensityField field, Rng rng)
    {
        int quarter = CellCount / 4;
        int picks = quarter + Math.Min(quarter, occupiedCount);
        if (chosen.Length < picks)
        {
            chosen = new int[CellCount / 2];
        }

        for (int i = 0; i < quarter; i++)
        {
            chosen[i] = rng.NextInt(CellCount);
        }

        if (occupiedCount > 0)
        {
            if (occupiedList.Length < CellCount)
            {
                occupiedList = new int[CellCount];
            }

            int m = 0;
            for (int w = 0; w < bits.Length; w++)
            {
                ulong word = bits[w];
                while (word != 0)
                {
                    occupiedList[m++] = (w << 6) + BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                }
            }

            if (occupiedCount <= quarter)
            {
                Array.Copy(occupiedList, 0, chosen, quarter, occupiedCount);
            }
            else
            {
                for (int i = 0; i < quarter; i++)
                {
                    chosen[quarter + i] = occupiedList[rng.NextInt(occupiedCount)];
                }
            }
        }

        // sampleMax[cell] holds the largest fresh value of a chosen cell during this update, -1 otherwise
        // (densities are >= 0); it is restored to -1 when applied, so it never needs a full clear.
        if (sampleMax.Length < CellCount)
        {
            sampleMax = new float[CellCount];
            Array.Fill(sampleMax, -1.0f);
        }

        int batch = density.Length;
        for (int start = 0; start < picks; start += batch)
        {
            int n = Math.Min(batch, picks - start);
            Array.Copy(chosen, start, batchCells, 0, n);
            Evaluate(field, rng, n);
            for (int c = 0; c < n; c++)
            {
                int cell = batchCells[c];
                sampleMax[cell] = MathF.Max(sampleMax[cell], density[c]);
            }
        }

        float decay = Config.EmaDecay;
        for (int i = 0; i < picks; i++)
        {
            int cell = chosen[i];
            float fresh = sampleMax[cell];
            if (fresh >= 0)
            {
                values[cell] = MathF.Max(values[cell] * decay, fresh);
                sampleMax[cell] = -1.0f;
            }
        }
    }

    /// <summary>Fills density[0..n) with density * StepSize at one jittered world point in each of batchCells[0..n).</summary>
    private void Evaluate(IDensityField field, Rng rng, int n)
    {
        SceneBox box = Box;
        int r = resolution;
        for (int c = 0; c < n; c++)
        {
            int cell = batchCells[c];
            int i = cell % r, jk = cell / r;
            int j = jk % r, k = jk / r;
            positions[3 * c] = box.MinX + ((i + rng.NextFloat()) * cellX);
            positions[(3 * c) + 1] = box.MinY + ((j + rng.NextFloat()) * cellY);
            positions[(3 * c) + 2] = box.MinZ + ((k + rng.NextFloat()) * cellZ);
        }

        Span<float> d = density.AsSpan(0, n);
        field.QueryDensity(positions.AsSpan(0, 3 * n), n, d);
        float step = StepSize;
        for (int c = 0; c < n; c++)
        {
            float v = d[c] * step;
            d[c] = v >= 0 ? v : 0; // NaN or negative densities count as empty
        }
    }

    private void RebuildBits()
    {
        double sum = 0;
        for (int c = 0; c < values.Length; c++)
        {
            sum += values[c];
        }

        float threshold = MathF.Min((float)(sum / values.Length), Config.OccupancyThreshold);
        if (float.IsNaN(threshold))
        {
            threshold = Config.OccupancyThreshold;
        }

        Threshold = threshold;
        Array.Clear(bits);
        int count = 0;
        for (int c = 0; c < values.Length; c++)
        {
            if (values[c] > threshold)
            {
                bits[c >> 6] |= 1UL << (c & 63);
                count++;
            }
        }

        occupiedCount = count;
        for (int level = 1; level < mips.Length; level++)
        {
            ulong[] fine = mips[level - 1], coarse = mips[level];
            int rf = mipResolution[level - 1], rc = mipResolution[level];
            Array.Clear(coarse);
            for (int w = 0; w < fine.Length; w++)
            {
                ulong word = fine[w];
                while (word != 0)
                {
                    int c = (w << 6) + BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                    int i = c % rf, jk = c / rf;
                    int parent = (i >> 1) + (rc * (((jk % rf) >> 1) + (rc * ((jk / rf) >> 1))));
                    coarse[parent >> 6] |= 1UL << (parent & 63);
                }
            }
        }
    }
}
