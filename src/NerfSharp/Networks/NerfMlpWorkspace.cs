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

    internal NerfMlpWorkspace(NerfMlp owner, int maxPoints, int threads, int tileBlocks, int packedLength, int biasLength)
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
            PartScratch[i] = new float[TileFloats];
        }

        ForwardJob = new TileJob(this, backward: false);
        BackwardJob = new TileJob(this, backward: true);
    }

    /// <summary>Largest batch <see cref="NerfMlp.Forward"/> accepts with this workspace.</summary>
    public int MaxPoints { get; }

    /// <summary>Threads a batch is split over (tiles are divided into this many contiguous ranges).</summary>
    public int Threads { get; }

    internal NerfMlp Owner { get; }

    internal int BlockStride { get; }

    internal int TileFloats { get; }

    internal int MaxTiles { get; }

    /// <summary>Saved activations and output/input gradients, tile after tile.</summary>
    internal float[] Arena { get; }

    internal float[] Packed { get; }

    internal float[] PackedTransposed { get; }

    internal float[] PackedBias { get; }

    /// <summary>Per thread: weight-gradient partials (packed offsets) then bias partials.</summary>
    internal float[][] PartGradients { get; }

    /// <summary>Per thread: one tile region of gradient scratch for hidden activations.</summary>
    internal float[][] PartScratch { get; }

    /// <summary>Points of the last forward pass, or -1 before the first.</summary>
    internal int Count { get; set; } = -1;

    internal bool InputGradientRequested { get; set; }

    internal ParallelJob ForwardJob { get; }

    internal ParallelJob BackwardJob { get; }

    internal int TileCount => (Count + TilePoints - 1) / TilePoints;

    internal Span<float> Tile(int tile) => Arena.AsSpan(tile * TileFloats, TileFloats);

    private sealed class TileJob(NerfMlpWorkspace workspace, bool backward) : ParallelJob
    {
        protected override void Execute(int part, int partCount)
        {
            int tiles = workspace.TileCount;
            int first = (int)((long)tiles * part / partCount);
            int end = (int)((long)tiles * (part + 1) / partCount);
            if (backward)
            {
                workspace.Owner.BackwardTiles(workspace, part, first, end);
            }
            else
            {
                workspace.Owner.ForwardTiles(workspace, first, end);
            }
        }
    }
}
