namespace NerfSharp.Viewer;

/// <summary>One reading of <see cref="TrainingStatus"/>: the last step finished, its loss and PSNR, and whether training still runs.</summary>
public readonly record struct TrainingSnapshot(long Step, long TotalSteps, double Loss, double Psnr, bool Running);
