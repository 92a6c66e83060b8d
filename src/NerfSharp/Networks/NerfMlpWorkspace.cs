using NerfSharp.Kernels;

namespace NerfSharp.Networks;

/// <summary>
/// Everything one <see cref="NerfMlp"/> needs to run a batch of up to <see cref="MaxPoints"/> points without
/// allocating: the activations a forward pass saves for backward (points in tiles of <see cref="TilePoints"/>, each
/// tile's activations in <see cref="BlockedLayout"/>), packed weight panels, per-thread gradient partials and
/// scratch. Sized once by <see cref="NerfMlp.CreateWorkspace(int)"/>; not thread-safe (one batch at a time).
/// </summary>
public sealed class NerfMlpWorkspace
{
    /// <summary>Points per tile: a multiple of the 6- and 12-point micro-kernels, small enough for a tile's layer input to stay in L2.</summary>
    public const int TilePoints = 96;

    internal NerfMlpWorkspace(NerfMlp owner, int maxPoints, int threads, int tileBlocks, int scratchBlocks, int packedLength, int biasLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPoints);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Owner = owner;
        MaxPoints = maxPoints;
        BlockStride = BlockedLayout.BlockStride(TilePoints);
        TileFloats = checked(tileBlocks * BlockStride);
        MaxTiles = (maxPoints + TilePoints - 1) / TilePoints;
        long arena = (long)MaxTiles * TileFloats;
        if (arena > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPoints), $"{maxPoints} points need {arena} floats of saved activations, more than one array holds; use smaller batches");
        }

        Threads = Math.Min(threads, Math.Max(1, MaxTiles));
        Arena = GC.AllocateUninitializedArray<float>((int)arena);
        Packed = new float[packedLength];
        PackedTransposed = new float[packedLength];
        PackedBias = new float[biasLength];
        PartGradients = new float[Threads][];
        PartScratch = new float[Threads][];
        for (int i = 0; i < Threads; i++)
        {
            PartGradients[i] = new float[packedLength + biasLength];
            PartScratch[i] = new float[checked(scratchBlocks * BlockStride)];
        }

        ForwardJob = new TileJob(this, backward: false);
        BackwardJob = new TileJob(this, backward: true);
        PackForwardJob = new LayerJob(this, LayerWork.PackForward);
        PackTransposedJob = new LayerJob(this, LayerWork.PackTransposed);
        ReduceJob = new LayerJob(this, LayerWork.Reduce);
    }

    /// <summary>Largest batch <see cref="NerfMlp.Forward"/> accepts with this workspace.</summary>
    public int MaxPoints { get; }

    /// <summary>Threads a batch is split over (tiles are divided into this many contiguous ranges).</summary>
    public int Threads { get; }

    internal NerfMlp Owner { get; }

    internal int BlockStride { get; }

    internal int TileFloats { get; }

    internal int MaxTiles { get; }

    /// <summary>Saved activations, tile after tile.</summary>
    internal float[] Arena { get; }

    internal float[] Packed { get; }

    internal float[] PackedTransposed { get; }

    internal float[] PackedBias { get; }

    /// <summary>Per thread: weight-gradient partials (packed offsets) then bias partials.</summary>
    internal float[][] PartGradients { get; }

    /// <summary>Per thread: the gradients of one tile's activations, network inputs and outputs.</summary>
    internal float[][] PartScratch { get; }

    /// <summary>Points of the last forward pass, or -1 before the first.</summary>
    internal int Count { get; set; } = -1;

    internal bool InputGradientRequested { get; set; }

    /// <summary>Threads the last forward pass used (its tiles' ranges and partials belong to these).</summary>
    internal int PartsUsed { get; set; }

    internal ParallelSpanJob ForwardJob { get; }

    internal ParallelSpanJob BackwardJob { get; }

    internal ParallelJob PackForwardJob { get; }

    internal ParallelJob PackTransposedJob { get; }

    internal ParallelJob ReduceJob { get; }

    internal int TileCount => (Count + TilePoints - 1) / TilePoints;

    internal Span<float> Tile(int tile) => Arena.AsSpan(tile * TileFloats, TileFloats);

    private enum LayerWork
    {
        PackForward,
        PackTransposed,
        Reduce,
    }

    /// <summary>Tiles split into one contiguous range per part: forward (input -> output) or backward (dLdOutput -> dLdInput).</summary>
    private sealed class TileJob(NerfMlpWorkspace workspace, bool backward) : ParallelSpanJob
    {
        protected override void Execute(int part, int partCount, ReadOnlySpan<float> source, Span<float> destination)
        {
            int tiles = workspace.TileCount;
            int first = (int)((long)tiles * part / partCount);
            int end = (int)((long)tiles * (part + 1) / partCount);
            if (backward)
            {
                workspace.Owner.BackwardTiles(workspace, part, first, end, source, destination);
            }
            else
            {
                workspace.Owner.ForwardTiles(workspace, first, end, source, destination);
            }
        }
    }

    /// <summary>Per-layer work split by output rows: weight packing and the reduction of gradient partials.</summary>
    private sealed class LayerJob(NerfMlpWorkspace workspace, LayerWork work) : ParallelJob
    {
        protected override void Execute(int part, int partCount)
        {
            if (work == LayerWork.Reduce)
            {
                workspace.Owner.ReduceLayers(workspace, part, partCount);
            }
            else
            {
                workspace.Owner.PackLayers(workspace, part, partCount, work == LayerWork.PackTransposed);
            }
        }
    }
}
