namespace NerfSharp.Cli.Commands;

/// <summary>What <c>nerf render</c> was asked for: the run, the camera path and its options, the outputs (null: the default).</summary>
public sealed record RenderRequest(
    string RunDir, string Path, string? Output, bool Video, int? Frames, int Factor, int Downscale, double Radius, double Phi,
    double? Fps, double? Seconds, string? Resolution, string? Outputs, string ColorMap, string? DataparserTransforms);
