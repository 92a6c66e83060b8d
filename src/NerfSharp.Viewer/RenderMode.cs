namespace NerfSharp.Viewer;

/// <summary>What a viewer frame shows.</summary>
public enum RenderMode
{
    /// <summary>The rendered colour.</summary>
    Rgb,

    /// <summary>Expected depth, grey from near (white) to far (black).</summary>
    Depth,

    /// <summary>Accumulated opacity, black (empty) to white (opaque).</summary>
    Accumulation,
}
