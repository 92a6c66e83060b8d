namespace NerfSharp.Cli;

/// <summary>Where a command writes, and the signal that asks it to stop early.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, CancellationToken Cancel, bool Interactive);
