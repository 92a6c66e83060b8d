using NerfSharp.Kernels;

namespace NerfSharp.Networks;

/// <summary>
/// Everything one <see cref="NerfMlp"/> needs to run a batch of up to <see cref="MaxPoints"/> points without
/// allocating: the activations a forward pass saves for backward (points in tiles of <see cref="TilePoints"/>, each
/// tile's activations in <see cref="BlockedLayout"/>), packed weight panels, weight-gradient partials (one per chunk
/// of tiles) and per-thread gradient scratch. Sized once by <see cref="NerfMlp.CreateWorkspace(int)"/>; not
/// thread-safe (one batch at a time).
/// </summary>
public sealed class NerfMlpWorkspace
{
    /// <summary>Points per tile: a multiple of the 6- and 12-point micro-kernels, small enough for a tile's layer input to stay in L2.</summary>
    public const int TilePoints = 96;

    /// <summary>
    /// Backward splits a batch's tiles into this many contiguous chunks (fewer for small batches), each accumulating
    /// its own weight-gradient partial; threads take chunks as they become free and the partials are summed in chunk
    /// order. Results therefore depend on neither the thread count nor scheduling.
    /// </summary>
    public const int GradientChunks = 8;

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
        ChunkGradients = new float[Math.Min(GradientChunks, Math.Max(1, MaxTiles))][];
        for (int i = 0; i < ChunkGradients.Length; i++)
        {
            ChunkGradients[i] = new float[packedLength + biasLength];
        }

        PartScratch = new float[Threads][];
        for (int i = 0; i < Threads; i++)
        {
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

    /// <summary>Per chunk of tiles: weight-gradient partials (packed offsets) then bias partials.</summary>
    internal float[][] ChunkGradients { get; }

    /// <summary>Per thread: the gradients of one tile's activations, network inputs and outputs.</summary>
    internal float[][] PartScratch { get; }

    /// <summary>Points of the last forward pass, or -1 before the first.</summary>
    internal int Count { get; set; } = -1;

    internal bool InputGradientRequested { get; set; }

    /// <summary>Chunks of tiles the batch's backward pass uses.</summary>
    internal int ChunkCount => Math.Min(ChunkGradients.Length, TileCount);

    /// <summary>Next tile (forward) or chunk (backward) a free thread takes.</summary>
    private int nextWork;

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

    /// <summary>Resets the work counter before a tile job runs.</summary>
    internal void ResetWork() => nextWork = 0;

    /// <summary>
    /// Forward: threads take tiles one at a time (input -> output). Backward: threads take chunks of tiles
    /// (dLdOutput -> dLdInput). Which thread does a tile does not change any result.
    /// </summary>
    private sealed class TileJob(NerfMlpWorkspace workspace, bool backward) : ParallelSpanJob
    {
        protected override void Execute(int part, int partCount, ReadOnlySpan<float> source, Span<float> destination)
        {
            int tiles = workspace.TileCount;
            int chunks = workspace.ChunkCount;
            while (true)
            {
                int next = Interlocked.Increment(ref workspace.nextWork) - 1;
                if (!backward)
                {
                    if (next >= tiles)
                    {
                        return;
                    }

                    workspace.Owner.ForwardTiles(workspace, next, next + 1, source, destination);
                    continue;
                }

                if (next >= chunks)
                {
                    return;
                }

                int first = (int)((long)tiles * next / chunks);
                int end = (int)((long)tiles * (next + 1) / chunks);
                workspace.Owner.BackwardTiles(workspace, part, next, first, end, source, destination);
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
