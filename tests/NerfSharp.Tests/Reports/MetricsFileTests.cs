using NerfSharp.Reports;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Reports;

public sealed class MetricsFileTests
{
    [Fact]
    public void ReadsBackWhatMetricsLogWritesAndSkipsACutLine()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("metrics.jsonl");
        var log = new MetricsLog(path);
        var first = new MetricsRecord(1, 0.5, 0.04, 13.97, 1e-2, double.NaN, double.NaN);
        var second = new MetricsRecord(10, 2.25, 0.01, 20, 9e-3, 0.02, 16.99, Rays: 1024, SamplesPerRay: 12.5, SamplesPerSecond: 3e5, PeakRssBytes: 123_456_789);
        log.Append(first);
        log.Append(second);
        File.AppendAllText(path, "{\"step\":11,\"elaps");

        var read = MetricsFile.Read(path);
        Assert.Equal(2, read.Count);
        Assert.Equal(first, read[0] with { MseCoarse = double.NaN, PsnrCoarse = double.NaN });
        Assert.True(double.IsNaN(read[0].MseCoarse));
        Assert.Null(read[0].PeakRssBytes);
        Assert.Equal(second, read[1]);
        Assert.Empty(MetricsFile.Read(dir.Combine("missing.jsonl")));
    }
}
