using NerfSharp.Models;

namespace NerfSharp.Training;

/// <summary>What the trainer reports after each step (the CLI turns it into a progress line with ETA).</summary>
public readonly record struct TrainingProgress(long Step, long TotalSteps, TrainLoss Loss, double LearningRate, double ElapsedSeconds, double SessionSeconds, long SessionSteps);

/// <summary>How a <see cref="Trainer.Run"/> ended.</summary>
public sealed record TrainingResult(long Step, TrainLoss LastLoss, double ElapsedSeconds, string? CheckpointPath, bool Interrupted);
