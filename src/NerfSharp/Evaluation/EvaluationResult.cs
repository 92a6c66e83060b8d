namespace NerfSharp.Evaluation;

/// <summary>Quality of one rendered view against its ground truth.</summary>
public sealed record ImageScore(string Name, double Psnr, double Ssim, double Seconds);

/// <summary>Mean quality over a split, as <c>nerf eval --json</c> prints it.</summary>
public sealed record EvaluationResult(double Psnr, double Ssim, int Images, double SecondsPerImage, IReadOnlyList<ImageScore> PerImage);
