namespace NerfSharp.Networks;

/// <summary>
/// Everything one <see cref="NerfMlp"/> needs to run a batch of up to <see cref="MaxPoints"/> points without
/// allocating (saved activations in tiles, packed weights, gradient partials per chunk, per-thread scratch: a
/// <see cref="LayerGraphWorkspace"/>). Sized once by <see cref="NerfMlp.CreateWorkspace(int)"/>; not thread-safe
/// (one batch at a time).
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

    internal NerfMlpWorkspace(NerfMlp owner, LayerGraphWorkspace core)
    {
        Owner = owner;
        Core = core;
    }

    /// <summary>Largest batch <see cref="NerfMlp.Forward"/> accepts with this workspace.</summary>
    public int MaxPoints => Core.MaxPoints;

    /// <summary>Threads a batch is split over.</summary>
    public int Threads => Core.Threads;

    internal NerfMlp Owner { get; }

    internal LayerGraphWorkspace Core { get; }

    /// <summary>Points of the last forward pass, or -1 before the first.</summary>
    internal int Count => Core.Count;
}
