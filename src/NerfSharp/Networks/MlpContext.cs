using NerfSharp.Modules;

namespace NerfSharp.Networks;

/// <summary>
/// What one user of an <see cref="Mlp"/> keeps between forward and backward, sized once for up to
/// <see cref="ModuleContext.Capacity"/> items: a <see cref="LayerGraphWorkspace"/> (the tiles' saved activations,
/// <see cref="TilePoints"/> items per tile; packed weights; one weight-gradient partial per chunk of tiles; per-thread
/// gradient scratch). One batch at a time.
/// </summary>
public sealed class MlpContext : ModuleContext
{
    /// <summary>
    /// Items per tile. The width-64 networks keep a 384-item tile's activations in L2; larger tiles than NerfMlp's 96
    /// amortise the per-tile work (measured: about 10% less CPU time than 96 for both Instant-NGP presets).
    /// </summary>
    public const int TilePoints = 384;

    /// <summary>
    /// Backward splits a batch's tiles into this many contiguous chunks (fewer for small batches), each with its own
    /// weight-gradient partial; threads take chunks as they become free and the partials are added in chunk order,
    /// so results depend on neither the thread count nor scheduling. 16 chunks keep two threads evenly loaded.
    /// </summary>
    public const int GradientChunks = 16;

    internal MlpContext(Mlp owner, LayerGraphWorkspace core)
        : base(core.MaxPoints)
    {
        Owner = owner;
        Core = core;
    }

    /// <summary>Threads a batch is split over.</summary>
    public int Threads => Core.Threads;

    internal Mlp Owner { get; }

    internal LayerGraphWorkspace Core { get; }

    internal bool ForwardDone { get; set; }
}
