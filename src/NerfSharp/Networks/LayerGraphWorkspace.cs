using NerfSharp.Kernels;

namespace NerfSharp.Networks;

/// <summary>
/// Everything one <see cref="LayerGraph"/> needs to run a batch of up to <see cref="MaxPoints"/> points without
/// allocating: the activations a forward pass saves for backward (points in tiles of <see cref="LayerGraph.TilePoints"/>,
/// each tile's activations in <see cref="BlockedLayout"/>), packed weight panels, weight-gradient partials (one per
/// chunk of tiles) and per-thread gradient scratch. Sized once; not thread-safe (one batch at a time).
/// </summary>
internal sealed class LayerGraphWorkspace
{
    /// <summary>Next tile (forward) or chunk (backward) a free thread takes.</summary>
    private int nextWork;

    public LayerGraphWorkspace(LayerGraph owner, int maxPoints, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPoints);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Owner = owner;
        MaxPoints = maxPoints;
        BlockStride = BlockedLayout.BlockStride(owner.TilePoints);
        TileFloats = checked(owner.TileBlocks * BlockStride);
        MaxTiles = (maxPoints + owner.TilePoints - 1) / owner.TilePoints;
        long arena = (long)MaxTiles * TileFloats;
        if (arena > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPoints), $"{maxPoints} points need {arena} floats of saved activations, more than one array holds; use smaller batches");
        }

        Threads = Math.Min(threads, Math.Max(1, MaxTiles));
        Arena = GC.AllocateUninitializedArray<float>((int)arena);
        Packed = new float[owner.PackedLength];
        PackedTransposed = new float[owner.PackedLength];
        PackedBias = new float[owner.BiasLength];
        ChunkGradients = new float[Math.Min(owner.GradientChunks, Math.Max(1, MaxTiles))][];
        for (int i = 0; i < ChunkGradients.Length; i++)
        {
            ChunkGradients[i] = new float[owner.PackedLength + owner.BiasLength];
        }

        PartScratch = new float[Threads][];
        for (int i = 0; i < Threads; i++)
        {
            PartScratch[i] = new float[checked(owner.ScratchBlocks * BlockStride)];
        }

        ForwardJob = new TileJob(this, backward: false);
        BackwardJob = new TileJob(this, backward: true);
        PackForwardJob = new LayerJob(this, LayerWork.PackForward);
        PackTransposedJob = new LayerJob(this, LayerWork.PackTransposed);
        ReduceJob = new LayerJob(this, LayerWork.Reduce);
    }

    private enum LayerWork
    {
        PackForward,
        PackTransposed,
        Reduce,
    }

    public LayerGraph Owner { get; }

    /// <summary>Largest batch a forward pass accepts with this workspace.</summary>
    public int MaxPoints { get; }

    /// <summary>Threads a batch is split over.</summary>
    public int Threads { get; }

    public int BlockStride { get; }

    public int TileFloats { get; }

    public int MaxTiles { get; }

    /// <summary>Saved activations, tile after tile.</summary>
    public float[] Arena { get; }

    public float[] Packed { get; }

    public float[] PackedTransposed { get; }

    public float[] PackedBias { get; }

    /// <summary>Per chunk of tiles: weight-gradient partials (packed offsets) then bias partials.</summary>
    public float[][] ChunkGradients { get; }

    /// <summary>Per thread: the gradients of one tile's activations, network inputs and outputs.</summary>
    public float[][] PartScratch { get; }

    /// <summary>Points of the last forward pass, or -1 before the first (or after a failed one).</summary>
    public int Count { get; set; } = -1;

    public bool InputGradientRequested { get; set; }

    /// <summary>Chunks of tiles the batch's backward pass uses.</summary>
    public int ChunkCount => Math.Min(ChunkGradients.Length, TileCount);

    public ParallelSpanJob ForwardJob { get; }

    public ParallelSpanJob BackwardJob { get; }

    public ParallelJob PackForwardJob { get; }

    public ParallelJob PackTransposedJob { get; }

    public ParallelJob ReduceJob { get; }

    public int TileCount => (Count + Owner.TilePoints - 1) / Owner.TilePoints;

    public Span<float> Tile(int tile) => Arena.AsSpan(tile * TileFloats, TileFloats);

    /// <summary>Resets the work counter before a tile job runs.</summary>
    public void ResetWork() => nextWork = 0;

    /// <summary>
    /// Forward: threads take tiles one at a time (input -> output). Backward: threads take chunks of tiles
    /// (dLdOutput -> dLdInput). Which thread does a tile does not change any result.
    /// </summary>
    private sealed class TileJob(LayerGraphWorkspace workspace, bool backward) : ParallelSpanJob
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
    private sealed class LayerJob(LayerGraphWorkspace workspace, LayerWork work) : ParallelJob
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
