namespace NerfSharp.Training;

/// <summary>What a checkpoint holds besides tensors: the training step and the caller's metadata.</summary>
public sealed record CheckpointData(long Step, IReadOnlyDictionary<string, string> Metadata);
