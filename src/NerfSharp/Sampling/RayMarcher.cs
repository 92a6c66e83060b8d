using NerfSharp.Kernels;
using NerfSharp.Numerics;

namespace NerfSharp.Sampling;

/// <summary>
/// instant-ngp / nerfacc ray marching through an <see cref="OccupancyGrid"/>: each ray is clipped to the grid's box
/// and to [near, far], walked in fixed steps, and a sample is emitted wherever the step's midpoint lies in an occupied
/// cell. Empty space is skipped DDA-style: from a step in an empty cell the walk jumps to the exit of the largest empty
/// block around it (the grid's coarse occupancy levels), and the steps inside an occupied cell are taken together,
/// always on the ray's step lattice, so the samples equal those of naive marching (a lookup per step) exactly.
/// Rays are marched in parallel, each thread into its own scratch, then copied to prefix-summed offsets; the output is
/// in ray order and does not depend on the number of threads. Holds its workspaces (grown to the largest batch seen, then reused,
/// so a warm marcher allocates nothing): use one marcher per concurrent caller, and do not update a grid while it is
/// being marched.
/// <para>
/// Units: t is in units of the direction as given (directions may be unnormalised); the step is in world units, so
/// a ray with direction d takes steps of dt = stepSize / |d| in t, and each sample's world length is stepSize.
/// Ray r's lattice: with tMin = max(near[r], box entry), tMax = min(far[r], box exit) and offset o in [0, 1)
/// (0 without jitter), step k covers [s_k, s_k + dt] with s_k = tMin + o dt + k dt; steps are taken while
/// s_k + dt &lt;= tMax, and step k is emitted as a sample when its midpoint s_k + dt/2 is in an occupied cell.
/// </para>
/// </summary>
public sealed class RayMarcher
{
    /// <summary>Most steps along one ray (step indices stay exact in float arithmetic).</summary>
    internal const int MaxSteps = 1 << 22;

    /// <summary>Rays per work item handed to a thread.</summary>
    internal const int ChunkRays = 64;

    private readonly MarchJob job = new();
    private float[] rayOrigins = [];
    private float[] rayDirections = [];
    private float[] tLow = [];
    private float[] tHigh = [];
    private float[] offsets = [];
    private float[] tNextBuffer = [];
    private int[] counts = [];
    private int[] chunkPart = [];
    private int[] chunkOffset = [];
    private PartScratch[] scratch = [];

    /// <param name="parts">Threads to use (0: one per processor).</param>
    public RayMarcher(int parts = 0)
    {
        Parts = parts;
    }

    /// <summary>Threads the marcher uses (0: one per processor). Results do not depend on it.</summary>
    public int Parts
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>
    /// instant-ngp's step: the box diagonal / 1024 (sqrt(3) side / 1024 for a cube), so a ray crossing the whole box
    /// takes at most 1024 steps.
    /// </summary>
    public static float DefaultStepSize(SceneBox box) => box.Diagonal / 1024.0f;

    /// <summary>
    /// Marches <paramref name="rays"/> rays (origins and directions array-of-structures xyz, one near/far bound per ray)
    /// into <paramref name="output"/>, with steps of <paramref name="stepSize"/> world units (normally
    /// <see cref="OccupancyGrid.StepSize"/>). With <paramref name="jitter"/>, each ray's lattice is shifted by one
    /// uniform offset in [0, dt), drawn in ray order (nerfacc's stratified marching); null marches deterministically.
    /// Returns the number of rays marched: when the samples of ray r would not fit the output's sample capacity, rays
    /// r and after are not marched, output.Rays is r and r is returned (otherwise <paramref name="rays"/>).
    /// </summary>
    public int March(
        ReadOnlySpan<float> origins,
        ReadOnlySpan<float> directions,
        ReadOnlySpan<float> near,
        ReadOnlySpan<float> far,
        int rays,
        OccupancyGrid grid,
        float stepSize,
        Rng? jitter,
        RaySamples output)
    {
        Prepare(origins, directions, near, far, rays, grid, stepSize, output);
        Span<float> offset = offsets.AsSpan(0, rays);
        if (jitter is null)
        {
            offset.Clear();
        }
        else
        {
            for (int r = 0; r < rays; r++)
            {
                offset[r] = jitter.NextFloat();
            }
        }

        return Run(rays, grid, stepSize, int.MaxValue, output, []);
    }

    /// <summary>
    /// Incremental marching for rendering (instant-ngp's inference loop): ray r starts at t = tStart[r] (clipped to
    /// the box entry; its lattice is anchored there) and stops after at most <paramref name="maxSamplesPerRay"/>
    /// samples or at min(far[r], box exit). <paramref name="tNext"/>[r] receives where to resume (the end of the
    /// ray's last sample when it stopped at the sample limit), or +infinity when nothing is left to march. Returns the
    /// number of rays marched, as <see cref="March(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, OccupancyGrid, float, Rng?, RaySamples)"/>;
    /// tNext of rays not marched is left as it was.
    /// </summary>
    public int March(
        ReadOnlySpan<float> origins,
        ReadOnlySpan<float> directions,
        ReadOnlySpan<float> tStart,
        ReadOnlySpan<float> far,
        int rays,
        OccupancyGrid grid,
        float stepSize,
        int maxSamplesPerRay,
        RaySamples output,
        Span<float> tNext)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamplesPerRay);
        if (tNext.Length < rays)
        {
            throw new ArgumentException($"tNext holds {tNext.Length} values for {rays} rays", nameof(tNext));
        }

        Prepare(origins, directions, tStart, far, rays, grid, stepSize, output);
        offsets.AsSpan(0, rays).Clear();
        return Run(rays, grid, stepSize, maxSamplesPerRay, output, tNext);
    }

    /// <summary>
    /// The per-ray lattice walk. With null outputs it only counts. With <paramref name="byCell"/> it looks up one step
    /// per cell crossed (plus one check) and treats the steps inside a cell together; without it, every step is looked
    /// up (naive marching, the reference). Returns the samples emitted; tNext is the end of the last sample when the
    /// walk stopped at <paramref name="maxSamples"/>, else +infinity.
    /// </summary>
    internal static int MarchRay(
        in GridView grid,
        in RayLattice ray,
        int maxSamples,
        bool byCell,
        float[]? tStartOut,
        float[]? tEndOut,
        int[]? rayIndexOut,
        int writeAt,
        int rayIndex,
        out float tNext)
    {
        tNext = float.PositiveInfinity;
        if (!ray.Valid)
        {
            return 0;
        }

        float dt = ray.Dt, t0 = ray.T0, tMax = ray.TMax;
        float halfDt = 0.5f * dt;
        int count = 0;
        int k = 0;
        while (true)
        {
            float s = t0 + (k * dt);
            if (!(s + dt <= tMax))
            {
                return count;
            }

            // Steps k .. next-1 all map to this cell if it is occupied, to empty cells if not (next = k + 1 when naive).
            int cell = grid.CellAt(in ray, s + halfDt, out int ci, out int cj, out int ck);
            bool occupied = grid.Occupied(cell);
            int next = byCell ? grid.NextStep(in ray, k, ci, cj, ck, occupied) : k + 1;
            if (occupied)
            {
                int steps = Math.Min(next - k, maxSamples - count);
                if (tStartOut is null && t0 + ((k + steps - 1) * dt) + dt <= tMax)
                {
                    // Counting only, and the last of these steps ends in range (step ends are monotone in k): all count.
                    count += steps;
                }
                else
                {
                    for (int kk = k; kk < k + steps; kk++)
                    {
                        float sk = t0 + (kk * dt);
                        float ek = sk + dt;
                        if (!(ek <= tMax))
                        {
                            return count;
                        }

                        if (tStartOut is not null)
                        {
                            tStartOut[writeAt + count] = sk;
                            tEndOut![writeAt + count] = ek;
                            if (rayIndexOut is not null)
                            {
                                rayIndexOut[writeAt + count] = rayIndex;
                            }
                        }

                        count++;
                    }
                }

                if (count == maxSamples)
                {
                    tNext = t0 + ((k + steps - 1) * dt) + dt;
                    return count;
                }
            }

            k = next;
        }
    }

    private void Prepare(
        ReadOnlySpan<float> origins,
        ReadOnlySpan<float> directions,
        ReadOnlySpan<float> low,
        ReadOnlySpan<float> high,
        int rays,
        OccupancyGrid grid,
        float stepSize,
        RaySamples output)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(rays);
        if (!(stepSize > 0) || !float.IsFinite(stepSize))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "must be finite and > 0");
        }

        if (origins.Length < 3 * rays || directions.Length < 3 * rays || low.Length < rays || high.Length < rays)
        {
            throw new ArgumentException($"{rays} rays need 3x{rays} origin and direction values and {rays} bounds; got {origins.Length}, {directions.Length}, {low.Length}, {high.Length}");
        }

        if (rays > output.RayCapacity)
        {
            throw new ArgumentException($"{rays} rays exceed the output's capacity of {output.RayCapacity}", nameof(output));
        }

        if (rayOrigins.Length < 3 * rays)
        {
            rayOrigins = new float[3 * rays];
            rayDirections = new float[3 * rays];
            tLow = new float[rays];
            tHigh = new float[rays];
            offsets = new float[rays];
            tNextBuffer = new float[rays];
            counts = new int[rays];
        }

        origins[..(3 * rays)].CopyTo(rayOrigins);
        directions[..(3 * rays)].CopyTo(rayDirections);
        low[..rays].CopyTo(tLow);
        high[..rays].CopyTo(tHigh);
    }

    private int Run(int rays, OccupancyGrid grid, float stepSize, int maxSamples, RaySamples output, Span<float> tNext)
    {
        output.Reset(rays);
        int parts = Parts == 0 ? ParallelJob.DefaultParts : Parts;
        int chunks = (rays + ChunkRays - 1) / ChunkRays;
        parts = Math.Max(1, Math.Min(parts, chunks));
        if (chunkPart.Length < chunks)
        {
            chunkPart = new int[chunks];
            chunkOffset = new int[chunks];
        }

        if (scratch.Length < parts)
        {
            var grown = new PartScratch[parts];
            for (int p = 0; p < parts; p++)
            {
                grown[p] = p < scratch.Length ? scratch[p] : new PartScratch();
            }

            scratch = grown;
        }

        // Pass 1: each part marches the chunks it claims into its own scratch, recording where each chunk went.
        job.Set(this, new GridView(grid), rays, stepSize, maxSamples, output, copyPass: false);
        job.Run(parts);

        int marched = rays;
        int total = 0;
        int capacity = output.SampleCapacity;
        for (int r = 0; r < rays; r++)
        {
            int n = counts[r];
            if (n > capacity - total)
            {
                marched = r;
                break;
            }

            output.RayStart[r] = total;
            output.RayCount[r] = n;
            total += n;
        }

        output.Rays = marched;
        output.Samples = total;

        // Pass 2: chunks are copied to their prefix-summed places, so the output is in ray order whoever marched them.
        job.Set(this, default, marched, stepSize, maxSamples, output, copyPass: true);
        job.Run(parts);
        job.Clear();
        if (!tNext.IsEmpty)
        {
            tNextBuffer.AsSpan(0, marched).CopyTo(tNext);
        }

        return marched;
    }

    /// <summary>What one ray's walk needs: origin, direction, its inverse, the anchored lattice and its end.</summary>
    internal readonly struct RayLattice
    {
        public readonly float Ox, Oy, Oz, Dx, Dy, Dz, InvDx, InvDy, InvDz;
        public readonly float T0, Dt, InvDt, TMax;

        /// <summary>More than the number of steps on the lattice (an upper bound on its samples).</summary>
        public readonly float StepCap;

        public readonly bool Valid;

        /// <summary>Clips o + t d to the box and [low, high]; anchors the lattice at the clipped start + offset * dt.</summary>
        public RayLattice(in SceneBox box, ReadOnlySpan<float> o, ReadOnlySpan<float> d, float low, float high, float offset, float stepSize)
        {
            Ox = o[0];
            Oy = o[1];
            Oz = o[2];
            Dx = d[0];
            Dy = d[1];
            Dz = d[2];
            InvDx = 1.0f / Dx;
            InvDy = 1.0f / Dy;
            InvDz = 1.0f / Dz;
            float norm = MathF.Sqrt((Dx * Dx) + (Dy * Dy) + (Dz * Dz));
            Dt = stepSize / norm;
            InvDt = norm / stepSize;
            T0 = TMax = StepCap = 0;
            Valid = false;
            if (!(norm > 0) || !float.IsFinite(Dt) || !box.Intersect(Ox, Oy, Oz, Dx, Dy, Dz, out float tEnter, out float tExit))
            {
                return;
            }

            float tMin = MathF.Max(low, tEnter);
            TMax = MathF.Min(high, tExit);
            T0 = tMin + (offset * Dt);
            Valid = tMin < TMax && float.IsFinite(T0) && float.IsFinite(TMax);
            StepCap = ((TMax - T0) * InvDt) + 2.0f;
            if (Valid && !(StepCap < MaxSteps))
            {
                throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, $"a ray would take more than {MaxSteps} steps");
            }
        }
    }

    /// <summary>The grid fields the walk reads, copied into a struct for the hot loop.</summary>
    internal readonly struct GridView
    {
        private readonly ulong[] bits;
        private readonly ulong[][] mips;
        private readonly int[] mipResolution;
        private readonly float minX, minY, minZ, cellX, cellY, cellZ, invCellX, invCellY, invCellZ;
        private readonly int resolution;

        public GridView(OccupancyGrid grid)
        {
            Box = grid.Box;
            bits = grid.Bits;
            mips = grid.MipBits;
            mipResolution = grid.MipResolution;
            resolution = grid.Resolution;
            minX = Box.MinX;
            minY = Box.MinY;
            minZ = Box.MinZ;
            cellX = grid.CellSizeX;
            cellY = grid.CellSizeY;
            cellZ = grid.CellSizeZ;
            invCellX = grid.InvCellSizeX;
            invCellY = grid.InvCellSizeY;
            invCellZ = grid.InvCellSizeZ;
        }

        public SceneBox Box { get; }

        public bool Occupied(int cell) => (bits[cell >> 6] & (1UL << (cell & 63))) != 0;

        /// <summary>
        /// The cell (clamped to the grid) holding the ray's point at parameter t. Every operation here is monotone in
        /// t, so along a ray each of the three computed cell coordinates is monotone in the step index.
        /// </summary>
        public int CellAt(in RayLattice ray, float t, out int i, out int j, out int k)
        {
            int r1 = resolution - 1;
            i = Math.Clamp((int)(((ray.Ox + (t * ray.Dx)) - minX) * invCellX), 0, r1);
            j = Math.Clamp((int)(((ray.Oy + (t * ray.Dy)) - minY) * invCellY), 0, r1);
            k = Math.Clamp((int)(((ray.Oz + (t * ray.Dz)) - minZ) * invCellZ), 0, r1);
            return i + (resolution * (j + (resolution * k)));
        }

        /// <summary>
        /// Step k's midpoint is in cell (i, j, kz) = <paramref name="cell"/>: returns the next step that may lie outside
        /// the largest empty block around it (the coarsest empty mip cell containing it), or outside the cell itself
        /// when the cell is occupied. The candidate is the first step whose midpoint lies at or beyond the block's exit
        /// along the ray; it is taken only if the step before it still maps into the block (then, as each computed cell
        /// coordinate is monotone in the step index, so do all the steps in between, and naive marching would have found
        /// them all in this cell, or all empty); otherwise k + 1.
        /// </summary>
        public int NextStep(in RayLattice ray, int k, int i, int j, int kz, bool occupied)
        {
            int level = 0;
            if (!occupied)
            {
                while (level + 1 < mips.Length && !MipOccupied(level + 1, i >> (level + 1), j >> (level + 1), kz >> (level + 1)))
                {
                    level++;
                }
            }

            // The block's fine-cell range [lo, hi) per axis.
            int loI = (i >> level) << level, loJ = (j >> level) << level, loK = (kz >> level) << level;
            int hiI = Math.Min(resolution, loI + (1 << level));
            int hiJ = Math.Min(resolution, loJ + (1 << level));
            int hiK = Math.Min(resolution, loK + (1 << level));
            float tx = ray.Dx > 0 ? (minX + (hiI * cellX) - ray.Ox) * ray.InvDx
                : ray.Dx < 0 ? (minX + (loI * cellX) - ray.Ox) * ray.InvDx : float.PositiveInfinity;
            float ty = ray.Dy > 0 ? (minY + (hiJ * cellY) - ray.Oy) * ray.InvDy
                : ray.Dy < 0 ? (minY + (loJ * cellY) - ray.Oy) * ray.InvDy : float.PositiveInfinity;
            float tz = ray.Dz > 0 ? (minZ + (hiK * cellZ) - ray.Oz) * ray.InvDz
                : ray.Dz < 0 ? (minZ + (loK * cellZ) - ray.Oz) * ray.InvDz : float.PositiveInfinity;
            float tExit = MathF.Min(tx, MathF.Min(ty, tz));

            // First step whose midpoint t0 + (m + 1/2) dt reaches tExit, capped just past the lattice's end.
            float m = MathF.Ceiling(((tExit - ray.T0) * ray.InvDt) - 0.5f);
            if (!(m < ray.StepCap))
            {
                m = MathF.Ceiling(ray.StepCap);
            }

            if (!(m > k + 1))
            {
                return k + 1;
            }

            int candidate = (int)m;
            float sBefore = ray.T0 + ((candidate - 1) * ray.Dt);
            CellAt(in ray, sBefore + (0.5f * ray.Dt), out int ci, out int cj, out int ck);
            bool inside = ci >= loI && ci < hiI && cj >= loJ && cj < hiJ && ck >= loK && ck < hiK;
            return inside ? candidate : k + 1;
        }

        private bool MipOccupied(int level, int i, int j, int k)
        {
            int r = mipResolution[level];
            int index = i + (r * (j + (r * k)));
            return (mips[level][index >> 6] & (1UL << (index & 63))) != 0;
        }
    }

    /// <summary>One part's samples in the marching pass: t intervals of the chunks it claimed, back to back.</summary>
    private sealed class PartScratch
    {
        public float[] TStart { get; private set; } = new float[1 << 14];

        public float[] TEnd { get; private set; } = new float[1 << 14];

        public int Used { get; set; }

        /// <summary>Grows (doubling, keeping the contents) until <paramref name="extra"/> more samples fit.</summary>
        public void Reserve(int extra)
        {
            if (extra <= TStart.Length - Used)
            {
                return;
            }

            long size = TStart.Length;
            while (size - Used < extra)
            {
                size *= 2;
            }

            var ts = new float[size];
            var te = new float[size];
            Array.Copy(TStart, ts, Used);
            Array.Copy(TEnd, te, Used);
            TStart = ts;
            TEnd = te;
        }
    }

    /// <summary>
    /// Marching pass: parts claim chunks of rays dynamically and march them into their own scratch. Copy pass: parts
    /// claim chunks and copy them from whichever scratch holds them to their place in the output.
    /// </summary>
    private sealed class MarchJob : ParallelJob
    {
        private RayMarcher? owner;
        private GridView grid;
        private RaySamples? output;
        private int rays;
        private float stepSize;
        private int maxSamples;
        private bool copy;
        private int nextChunk;

        public void Set(RayMarcher marcher, GridView view, int rayCount, float step, int maxPerRay, RaySamples samples, bool copyPass)
        {
            owner = marcher;
            grid = view;
            rays = rayCount;
            stepSize = step;
            maxSamples = maxPerRay;
            output = samples;
            copy = copyPass;
            nextChunk = 0;
        }

        public void Clear()
        {
            owner = null;
            output = null;
            grid = default;
        }

        protected override void Execute(int part, int partCount)
        {
            RayMarcher m = owner!;
            int chunks = (rays + ChunkRays - 1) / ChunkRays;
            if (copy)
            {
                CopyChunks(m, output!, chunks);
                return;
            }

            PartScratch mine = m.scratch[part];
            mine.Used = 0;
            SceneBox box = grid.Box;
            int chunk;
            while ((chunk = Interlocked.Increment(ref nextChunk) - 1) < chunks)
            {
                m.chunkPart[chunk] = part;
                m.chunkOffset[chunk] = mine.Used;
                int end = Math.Min(rays, (chunk + 1) * ChunkRays);
                for (int r = chunk * ChunkRays; r < end; r++)
                {
                    var lattice = new RayLattice(
                        in box, m.rayOrigins.AsSpan(3 * r, 3), m.rayDirections.AsSpan(3 * r, 3), m.tLow[r], m.tHigh[r], m.offsets[r], stepSize);
                    mine.Reserve(lattice.Valid ? (int)Math.Min(maxSamples, lattice.StepCap) : 0);
                    int n = MarchRay(in grid, in lattice, maxSamples, true, mine.TStart, mine.TEnd, null, mine.Used, r, out m.tNextBuffer[r]);
                    m.counts[r] = n;
                    mine.Used += n;
                }
            }
        }

        private void CopyChunks(RayMarcher m, RaySamples o, int chunks)
        {
            int chunk;
            while ((chunk = Interlocked.Increment(ref nextChunk) - 1) < chunks)
            {
                int first = chunk * ChunkRays, end = Math.Min(rays, first + ChunkRays);
                int at = o.RayStart[first];
                int n = o.RayStart[end - 1] + o.RayCount[end - 1] - at;
                PartScratch from = m.scratch[m.chunkPart[chunk]];
                Array.Copy(from.TStart, m.chunkOffset[chunk], o.TStart, at, n);
                Array.Copy(from.TEnd, m.chunkOffset[chunk], o.TEnd, at, n);
                for (int r = first; r < end; r++)
                {
                    o.RayIndex.AsSpan(o.RayStart[r], o.RayCount[r]).Fill(r);
                }
            }
        }
    }
}
