using NerfSharp.Imaging;
using NerfSharp.Reports;

namespace NerfSharp.Tests.Reports;

public sealed class ReportHtmlWriterTests
{
    [Fact]
    public void ConfigAndNamesAreEscapedAndMissingViewsSayWhy()
    {
        var report = Report("{\"note\": \"</pre><script>alert(1)</script>\"}", ReportValidation.Missing("val", "scene/transforms_val.json: file not found"));
        string html = ReportHtmlWriter.ToHtml(report);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;/pre&gt;&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("No views rendered: scene/transforms_val.json: file not found", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>peak memory (RSS)</th><td>not logged</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void EachViewShowsItsFourImagesAndScores()
    {
        byte[] png = PngEncoder.Encode(new Image(5, 4, 3));
        var view = new ReportView(3, "view 3", 25.5, 0.91234, 0.5, 5, 4, png, png, png, png, 1, 2);
        var report = Report("{}", new ReportValidation("val", 8, [view], 25.5, 0.91234, 0.1));
        string html = ReportHtmlWriter.ToHtml(report);
        foreach (string kind in new[] { "gt", "render", "error", "depth" })
        {
            Assert.Contains($"<img class=\"{kind}\" width=\"5\" height=\"4\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("<h3>view 3: PSNR 25.50 dB, SSIM 0.9123</h3>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>val PSNR (mean of 1 views)</th><td>25.50 dB</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("1 of the 8 views of the val split", html, StringComparison.Ordinal);
    }

    private static RunReport Report(string config, ReportValidation validation) => new(
        "/runs/x",
        new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        "ngp",
        1234,
        100,
        "/runs/x/checkpoints/step_000100.safetensors",
        [new LinePlot("Loss against step", "step", "loss", [new PlotSeries("train loss", [new PlotPoint(1, 0.1), new PlotPoint(100, 0.01)])], AxisScale.Log)],
        [],
        validation,
        new ReportTimings(10, 100, 10, null, null, null, null, null),
        null,
        new MachineInfo("cpu", 2, 256, "AVX2", "linux", ".NET"),
        config);
}
