namespace NerfSharp.Reports;

/// <summary>A held-out PSNR measured at a training step (and the training seconds at that step), and where it came from.</summary>
public sealed record ValidationPoint(long Step, double Seconds, double Psnr, string Source);
