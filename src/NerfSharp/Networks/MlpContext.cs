using NerfSharp.Kernels;
using NerfSharp.Modules;

namespace NerfSharp.Networks;

/// <summary>
/// What one user of an <see cref="Mlp"/> keeps between forward and backward, sized once for up to
/// <see cref="ModuleContext.Capacity"/> items: the tiles' saved activations (<see cref="TilePoints"/> items per tile,
/// each tile in <see cref="BlockedLayout"/>), packed weight panels, one weight-gradient partial per chunk of tiles
/// and per-thread gradient scratch. One batch at a time.
/// </summary>
public sealed class MlpContext : ModuleContext
{
    /// <summary>Items per tile: a multiple of the 6- and 12-point micro-kernels; a tile's activations stay in L1/L2.</summary>
    public const int TilePoints = 96;

    /// <summary>
    /// Backward splits a batch's tiles into this many contiguous chunks (fewer for small batches), each with its own
    /// weight-gradient partial; threads take chunks as they become free and the partials are added in chunk order,
    /// so results depend on neither the thread count nor scheduling. 16 chunks keep two threads evenly loaded.
    /// </summary>
    public const int GradientChunks = 16;

    private int nextWork;

    internal MlpContext(Mlp owner, int capacity, int threads, int tileBlocks, int packedLength, int biasLength)
        : base(capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Owner = owner;
        BlockStride = BlockedLayout.BlockStride(TilePoints);
        TileFloats = checked(tileBlocks * BlockStride);
        int maxTiles = (capacity + TilePoints - 1) / TilePoints;
        long arena = (long)maxTiles * TileFloats;
        if (arena > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), $"{capacity} items need {arena} floats of saved activations, more than one array holds; use smaller batches");
        }

        Threads = Math.Min(threads, Math.Max(1, maxTiles));
        Arena = GC.AllocateUninitializedArray<float>((int)arena);
        Packed = new float[packedLength];
        PackedTransposed = new float[packedLength];
        PackedBias = new float[biasLength];
        ChunkGradients = new float[Math.Min(GradientChunks, Math.Max(1, maxTiles))][];
        for (int i = 0; i < ChunkGradients.Length; i++)
        {
            ChunkGradients[i] = new float[packedLength + biasLength];
        }

        PartScratch = new float[Threads][];
        for (int i = 0; i < Threads; i++)
        {
            PartScratch[i] = new float[TileFloats];
        }

        ForwardJob = new TileJob(this, backward: false);
        BackwardJob = new TileJob(this, backward: true);
    }

    /// <summary>Threads a batch is split over.</summary>
    public int Threads { get; }

    internal Mlp Owner { get; }

    internal int BlockStride { get; }

    internal int TileFloats { get; }

    /// <summary>Saved activations, tile after tile.</summary>
    internal float[] Arena { get; }

    internal float[] Packed { get; }

    internal float[] PackedTransposed { get; }

    internal float[] PackedBias { get; }

    /// <summary>Per chunk of tiles: weight-gradient partials (at the layers' packed offsets), then bias partials.</summary>
    internal float[][] ChunkGradients { get; }

    /// <summary>Per thread: the gradients of one tile's activations (same block offsets as the tile).</summary>
    internal float[][] PartScratch { get; }

    internal bool ForwardDone { get; set; }

    internal bool InputGradientRequested { get; set; }

    internal int TileCount => (Count + TilePoints - 1) / TilePoints;

    internal int ChunkCount => Math.Min(ChunkGradients.Length, TileCount);

    internal ParallelSpanJob ForwardJob { get; }

    internal ParallelSpanJob BackwardJob { get; }

    internal Span<float> Tile(int tile) => Arena.AsSpan(tile * TileFloats, TileFloats);

    internal void ResetWork() => nextWork = 0;

    /// <summary>Forward: threads take tiles one at a time. Backward: threads take chunks of tiles.</summary>
    private sealed class TileJob(MlpContext context, bool backward) : ParallelSpanJob
    {
        protected override void Execute(int part, int partCount, ReadOnlySpan<float> source, Span<float> destination)
        {
            int tiles = context.TileCount;
            int chunks = context.ChunkCount;
            while (true)
            {
                int next = Interlocked.Increment(ref context.nextWork) - 1;
                if (!backward)
                {
                    if (next >= tiles)
                    {
                        return;
                    }

                    context.Owner.ForwardTile(context, next, source, destination);
                    continue;
                }

                if (next >= chunks)
                {
                    return;
                }

                int first = (int)((long)tiles * next / chunks);
                int end = (int)((long)tiles * (next + 1) / chunks);
                context.Owner.BackwardChunk(context, part, next, first, end, source, destination);
            }
        }
    }
}
