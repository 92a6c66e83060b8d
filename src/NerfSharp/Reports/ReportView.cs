namespace NerfSharp.Reports;

/// <summary>
/// One validation view in a report: its scores against the ground truth (full resolution) and four PNG images of
/// <see cref="Width"/> x <see cref="Height"/> pixels: ground truth, render, colour-mapped absolute error, colour-mapped depth.
/// </summary>
public sealed record ReportView(
    int Index,
    string Name,
    double Psnr,
    double Ssim,
    double RenderSeconds,
    int Width,
    int Height,
    byte[] GroundTruthPng,
    byte[] RenderPng,
    byte[] ErrorPng,
    byte[] DepthPng,
    double DepthMin,
    double DepthMax);
