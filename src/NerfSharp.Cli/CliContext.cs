namespace NerfSharp.Cli;

/// <summary>
/// Where a command writes, the signal that asks it to stop early, and when the command started: time budgets count
/// from there (the process's start for the <c>nerf</c> executable; the call for a command run in-process, as tests do).
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, CancellationToken Cancel, bool Interactive, DateTime? Started = null);
