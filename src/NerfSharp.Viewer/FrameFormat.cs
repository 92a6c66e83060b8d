namespace NerfSharp.Viewer;

/// <summary>How a viewer frame is encoded on the WebSocket.</summary>
public enum FrameFormat
{
    /// <summary>Baseline JPEG (small, lossy; the default).</summary>
    Jpeg,

    /// <summary>PNG (lossless, larger).</summary>
    Png,
}
