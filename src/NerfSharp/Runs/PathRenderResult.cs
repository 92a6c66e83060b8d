namespace NerfSharp.Runs;

/// <summary>What a path render wrote: the frame count and size, the PNG folder (null when only videos were asked for) and the video files.</summary>
public sealed record PathRenderResult(int Frames, int Width, int Height, string? FrameFolder, IReadOnlyList<string> Videos, double Seconds);
