namespace NerfSharp.Viewer;

/// <summary>
/// Where the web viewer listens and the limits it holds a browser to: the address (loopback unless asked otherwise),
/// the largest WebSocket message and frame it accepts, and the share of wall-clock time its renders may take while a
/// model is training.
/// </summary>
public sealed record ViewerOptions
{
    /// <summary>The loopback address the viewer binds to unless <c>--host</c> says otherwise.</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>The port the viewer listens on unless <c>--port</c> says otherwise (nerfstudio's).</summary>
    public const int DefaultPort = 7007;

    /// <summary>An IP address or <c>localhost</c>.</summary>
    public string Host { get; init; } = DefaultHost;

    /// <summary>The TCP port; 0 lets the system choose one (tests).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Largest WebSocket message accepted; a longer one closes the connection (a camera message is about 400 bytes).</summary>
    public int MaxMessageBytes { get; init; } = 16 * 1024;

    /// <summary>Largest frame side in pixels a browser may ask for.</summary>
    public int MaxFrameSide { get; init; } = 2048;

    /// <summary>
    /// While a model trains, the most of the wall clock one viewer connection spends rendering: after a frame that took
    /// t seconds it waits t (1 - share) / share before starting the next, so training keeps the rest.
    /// </summary>
    public double TrainingShare { get; init; } = 0.25;

    /// <summary>Most browser connections served at once (each has its own render thread); more are answered 503.</summary>
    public int MaxConnections { get; init; } = 8;

    /// <summary>A frame is rendered at 1 / this of the asked size while the camera moves.</summary>
    public int MovingDownscale { get; init; } = 4;

    /// <summary>True when <see cref="Host"/> is a loopback address (only this machine can connect).</summary>
    public bool IsLoopback => Host == "localhost" || (System.Net.IPAddress.TryParse(Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
