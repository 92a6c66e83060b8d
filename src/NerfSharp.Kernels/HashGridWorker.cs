using System.Numerics.Tensors;

namespace NerfSharp.Kernels;

/// <summary>
/// Runs the hash-grid kernels over a batch, level by level so that each level's table stays hot in cache while it is
/// used, on up to two threads:
/// <list type="bullet">
/// <item>forward: the points are split into contiguous ranges (one per thread), each range walks all levels;</item>
/// <item>backward: the levels are split into two fixed groups ([0, split) and [split, L)), one per thread, so no two
/// threads ever write one gradient entry; each group adds its levels' dL/dx in level order into its own buffer
/// (group 0: dLdInput, group 1: scratch), then dLdInput += scratch. The groups do not depend on the thread count,
/// so results are bit-identical for one thread or two.</item>
/// </list>
/// Positions are feature-major [3][count], outputs [L F][count] (feature f of level l in row l F + f).
/// One worker serves one user at a time (it holds the jobs' state); running it allocates nothing.
/// </summary>
public sealed unsafe class HashGridWorker
{
    /// <summary>Below this many points a call runs on one thread (the hand-off costs more than it saves).</summary>
    public const int MinPointsPerThread = 2048;

    private readonly HashGridLevel[] levels;

    /// <summary>Floats the table (and the gradient buffer) must hold: the end of the last level's entries times F.</summary>
    public long TableFloats { get; }

    private int OutputFloats(int count) => levels.Length * features * count;
    private readonly int features;
    private readonly int split;
    private readonly ForwardJob forwardJob;
    private readonly BackwardJob backwardJob;

    /// <param name="levels">The levels' constants, in order.</param>
    /// <param name="features">Features per entry (F).</param>
    /// <param name="backwardSplit">First level of the second backward group (1..L-1 for two groups; L or more: one group).</param>
    public HashGridWorker(HashGridLevel[] levels, int features, int backwardSplit)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        this.levels = (HashGridLevel[])levels.Clone();
        this.features = features;
        foreach (HashGridLevel level in this.levels)
        {
            // The kernels index without bounds checks: these keep every corner index inside the level's table
            // (dense: corner coordinates are at most R, so i + j R + k R^2 < 2 R^3 <= 2 T and one subtraction wraps it).
            bool ok = level.Offset >= 0 && level.TableSize > 0 && float.IsFinite(level.Scale) && level.Scale >= 0 && level.Scale < (1 << 22)
                && (level.Dense
                    ? level.Resolution >= (int)MathF.Ceiling(level.Scale) + 1 && (long)level.Resolution * level.Resolution * level.Resolution <= level.TableSize
                    : (level.TableSize & (level.TableSize - 1)) == 0);
            if (!ok)
            {
                throw new ArgumentException($"invalid hash-grid level {level}", nameof(levels));
            }
        }

        TableFloats = levels.Length == 0 ? 0 : ((long)levels.Max(l => (long)l.Offset + l.TableSize)) * features;
        split = Math.Clamp(backwardSplit, 1, Math.Max(1, levels.Length));
        forwardJob = new ForwardJob(this);
        backwardJob = new BackwardJob(this);
    }

    /// <summary>
    /// output [L F][count] from positions [3][count] (clamped to [0,1]) and the concatenated
    /// <paramref name="table"/> [entries][F].
    /// </summary>
    public void Forward(ReadOnlySpan<float> table, ReadOnlySpan<float> positions, int count, Span<float> output, int threads, SimdPath path)
    {
        if (count == 0)
        {
            return;
        }

        Check(table.Length, TableFloats, nameof(table));
        Check(positions.Length, 3L * count, nameof(positions));
        Check(output.Length, OutputFloats(count), nameof(output));
        int parts = Math.Clamp(Math.Min(threads, count / MinPointsPerThread), 1, 2);
        fixed (float* t = table, x = positions, o = output)
        {
            var job = forwardJob;
            job.Table = t;
            job.Positions = x;
            job.Output = o;
            job.Count = count;
            job.Path = path;
            try
            {
                job.Run(parts);
            }
            finally
            {
                job.Table = job.Positions = job.Output = null;
            }
        }
    }

    /// <summary>
    /// Accumulates parameter gradients into <paramref name="gradients"/> (same layout as the table) and, when
    /// <paramref name="dLdInput"/> is non-empty, overwrites dL/dpositions [3][count] (0 for coordinates clamped
    /// outside [0,1]); <paramref name="scratch"/> holds at least 3 count floats when dLdInput is needed.
    /// </summary>
    public void Backward(
        ReadOnlySpan<float> table, Span<float> gradients, ReadOnlySpan<float> positions, int count, ReadOnlySpan<float> dLdOutput,
        Span<float> dLdInput, Span<float> scratch, int threads, SimdPath path)
    {
        if (count == 0)
        {
            return;
        }

        bool withInput = !dLdInput.IsEmpty;
        bool twoGroups = split < levels.Length;
        Check(table.Length, TableFloats, nameof(table));
        Check(gradients.Length, TableFloats, nameof(gradients));
        Check(positions.Length, 3L * count, nameof(positions));
        Check(dLdOutput.Length, OutputFloats(count), nameof(dLdOutput));
        if (withInput)
        {
            Check(dLdInput.Length, 3L * count, nameof(dLdInput));
            Check(scratch.Length, twoGroups ? 3L * count : 0, nameof(scratch));
        }

        int parts = twoGroups && threads >= 2 && count >= MinPointsPerThread ? 2 : 1;
        fixed (float* t = table, g = gradients, x = positions, d = dLdOutput, di = dLdInput, s = scratch)
        {
            var job = backwardJob;
            job.Table = t;
            job.Gradients = g;
            job.Positions = x;
            job.DLdOutput = d;
            job.DLdInput = withInput ? di : null;
            job.Scratch = withInput ? s : null;
            job.Count = count;
            job.Path = path;
            try
            {
                job.Run(parts);
            }
            finally
            {
                job.Table = job.Gradients = job.Positions = job.DLdOutput = job.DLdInput = job.Scratch = null;
            }
        }

        if (withInput && twoGroups)
        {
            Span<float> di = dLdInput[..(3 * count)];
            TensorPrimitives.Add(di, scratch[..(3 * count)], di);
        }
    }

    private static void Check(int length, long needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"{name} holds {length} floats, {needed} are needed", name);
        }
    }

    /// <summary>64-byte aligned block scratch on the caller's stack.</summary>
    private static void AlignScratch(byte* raw, out int* idx, out float* w)
    {
        byte* aligned = (byte*)(((nint)raw + 63) & ~(nint)63);
        idx = (int*)aligned;
        w = (float*)(aligned + (HashGridKernels.IndexScratch * sizeof(int)));
    }

    /// <summary>
    /// Tables above this many bytes (bigger than a core's L2) are streamed in (<see cref="HashGridKernels.Warm"/>) before
    /// their level is walked, when the batch has at least a quarter as many points as the table has entries (2 corner
    /// lookups per entry or more; fewer lookups would not pay for reading the whole table).
    /// </summary>
    private const long WarmBytes = 1 << 20;

    /// <summary>Where each part leaves its warm-up reads' sum (never used; it keeps the reads from being optimised away).</summary>
    private readonly float[] sinks = new float[2];

    private const int ScratchBytes = ((HashGridKernels.IndexScratch + HashGridKernels.WeightScratch) * 4) + 64;

    private sealed class ForwardJob(HashGridWorker owner) : ParallelJob
    {
        public float* Table;
        public float* Positions;
        public float* Output;
        public int Count;
        public SimdPath Path;

        protected override void Execute(int part, int partCount)
        {
            int per = (((Count + partCount - 1) / partCount) + HashGridKernels.Block - 1) / HashGridKernels.Block * HashGridKernels.Block;
            int start = part * per;
            int end = Math.Min(Count, start + per);
            if (start >= end)
            {
                return;
            }

            byte* raw = stackalloc byte[ScratchBytes];
            AlignScratch(raw, out int* idx, out float* w);
            int f = owner.features;
            float* x = Positions, y = Positions + Count, z = Positions + (2 * Count);
            float sink = 0f;
            for (int l = 0; l < owner.levels.Length; l++)
            {
                ref readonly HashGridLevel level = ref owner.levels[l];
                long floats = (long)level.TableSize * f;
                if (floats * 4 > WarmBytes && Count >= level.TableSize / 4)
                {
                    // Each part streams in the whole table: the parts need not walk a level at the same time (a pool
                    // thread may start late), and when they do, the second reader finds the lines in the shared L3.
                    sink += HashGridKernels.Warm(Table + ((nint)level.Offset * f), floats);
                }

                HashGridKernels.ForwardLevel(
                    level, f, Table + ((nint)level.Offset * f), x, y, z, start, end, Output + ((nint)l * f * Count), Count, Path, idx, w);
            }

            owner.sinks[part & 1] = sink;
        }
    }

    private sealed class BackwardJob(HashGridWorker owner) : ParallelJob
    {
        public float* Table;
        public float* Gradients;
        public float* Positions;
        public float* DLdOutput;
        public float* DLdInput;
        public float* Scratch;
        public int Count;
        public SimdPath Path;

        protected override void Execute(int part, int partCount)
        {
            byte* raw = stackalloc byte[ScratchBytes];
            AlignScratch(raw, out int* idx, out float* w);
            if (partCount == 1)
            {
                Group(0, idx, w);
                if (owner.split < owner.levels.Length)
                {
                    Group(1, idx, w);
                }
            }
            else
            {
                Group(part, idx, w);
            }
        }

        private void Group(int group, int* idx, float* w)
        {
            int first = group == 0 ? 0 : owner.split;
            int last = group == 0 ? owner.split : owner.levels.Length;
            int f = owner.features;
            int n = Count;
            float* x = Positions, y = Positions + n, z = Positions + (2 * n);
            float* dx = group == 0 ? DLdInput : Scratch;
            float sink = 0f;
            for (int l = first; l < last; l++)
            {
                ref readonly HashGridLevel level = ref owner.levels[l];
                nint offset = (nint)level.Offset * f;
                long floats = (long)level.TableSize * f;
                bool warm = floats * 4 > WarmBytes && n >= level.TableSize / 4;
                sink += HashGridKernels.BackwardLevel(
                    level, f, Table + offset, Gradients + offset, x, y, z, 0, n, DLdOutput + ((nint)l * f * n), n,
                    dx, dx == null ? null : dx + n, dx == null ? null : dx + (2 * n), l == first, warm, Path, idx, w);
            }

            owner.sinks[group] = sink;
        }
    }
}
