using System.Text.Json;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

/// <summary>MetricsLog: appended lines and the truncation a resume does (including a line a kill cut short).</summary>
public sealed class MetricsLogTests : IDisposable
{
    private readonly TempDirectory dir = new("nerf-metrics");

    public void Dispose() => dir.Dispose();

    private static MetricsRecord Record(long step) => new(step, step * 0.5, 1.0 / step, 10 + step, 5e-4, 2.0 / step, 9 + step);

    private static long[] Steps(string path) =>
        File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()).ToArray();

    [Fact]
    public void AppendWritesOneParsableLinePerRecord()
    {
        var log = new MetricsLog(dir.Combine("metrics.jsonl"));
        log.Append(Record(1));
        log.Append(Record(5) with { Loss = double.NaN });
        string[] lines = File.ReadAllLines(log.FilePath);
        Assert.Equal(2, lines.Length);
        var second = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal(5, second.GetProperty("step").GetInt64());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("loss").ValueKind);
        Assert.Equal(15.0, second.GetProperty("psnr").GetDouble());
    }

    [Fact]
    public void TruncateAfterKeepsStepsUpToAndIncludingTheCheckpoint()
    {
        var log = new MetricsLog(dir.Combine("metrics.jsonl"));
        foreach (long s in new long[] { 1, 5, 10, 15, 20 })
        {
            log.Append(Record(s));
        }

        string before = File.ReadAllText(log.FilePath);
        log.TruncateAfter(10);
        Assert.Equal([1L, 5, 10], Steps(log.FilePath));
        Assert.StartsWith(File.ReadAllText(log.FilePath), before); // kept lines are byte-identical

        log.TruncateAfter(10); // idempotent
        Assert.Equal([1L, 5, 10], Steps(log.FilePath));
        log.TruncateAfter(0);
        Assert.Empty(File.ReadAllLines(log.FilePath));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(20)]
    [InlineData(-1)] // everything but the final newline
    public void ALastLineCutShortByAKillIsDropped(int keepChars)
    {
        var log = new MetricsLog(dir.Combine("metrics.jsonl"));
        log.Append(Record(1));
        log.Append(Record(2));
        string full = File.ReadAllText(log.FilePath);
        log.Append(Record(3));
        string third = File.ReadAllText(log.FilePath)[full.Length..];
        string cut = keepChars < 0 ? third[..^1] : third[..keepChars];
        File.WriteAllText(log.FilePath, full + cut);

        // The cut line is step 3 (or unreadable); resuming from the checkpoint of step 2 drops it.
        log.TruncateAfter(2);
        Assert.Equal(full, File.ReadAllText(log.FilePath));

        // Appending after the truncation gives one complete line per step.
        log.Append(Record(3));
        log.Append(Record(4));
        Assert.Equal([1L, 2, 3, 4], Steps(log.FilePath));
    }

    [Fact]
    public void ACutLineWhoseStepIsNotPastTheCheckpointIsStillDropped()
    {
        // A kill can cut the line of the very step that is checkpointed later only if the writes were reordered;
        // whatever its step, a line that does not parse never survives a truncation.
        var log = new MetricsLog(dir.Combine("metrics.jsonl"));
        log.Append(Record(1));
        File.AppendAllText(log.FilePath, "{\"step\":2,\"elaps");
        log.TruncateAfter(100);
        Assert.Equal([1L], Steps(log.FilePath));
    }

    [Fact]
    public void BlankLinesGoAndAMissingFileIsLeftMissing()
    {
        var missing = new MetricsLog(dir.Combine("absent.jsonl"));
        missing.TruncateAfter(5);
        Assert.False(File.Exists(missing.FilePath));

        var log = new MetricsLog(dir.Combine("metrics.jsonl"));
        log.Append(Record(1));
        File.AppendAllText(log.FilePath, "\n\n");
        log.Append(Record(2));
        log.TruncateAfter(5);
        Assert.Equal([1L, 2], Steps(log.FilePath));
        Assert.Equal(2, File.ReadAllLines(log.FilePath).Length);
    }

    [Fact]
    public void TruncateLeavesNoTemporaryFiles()
    {
        var log = new MetricsLog(dir.Combine("metrics.jsonl"));
        log.Append(Record(1));
        log.Append(Record(2));
        log.TruncateAfter(1);
        Assert.Equal(["metrics.jsonl"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
