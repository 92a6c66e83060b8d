using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NerfSharp.Imaging;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// RUN/report.html end to end: written by <c>nerf train</c> at the end of a tiny run and by <c>nerf report</c>; holds
/// the curves, the validation images, the config and the numbers, and refers to nothing outside itself.
/// </summary>
public sealed partial class ReportCliTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public ReportCliTests(DemoSceneFixture scene) => this.scene = scene;

    private string[] TrainArgs(string output, int steps, params string[] extra) =>
        ["train", "--data", scene.SceneDir, "--model", "vanilla", "--out", output, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--white_bkgd", "--testskip", "1", "--log-every", "5", .. CliRunner.TinyModelFlags, .. extra];

    [Fact]
    public void TrainWritesASelfContainedReportWithCurvesImagesConfigAndNumbers()
    {
        using var dir = new TempDirectory();
        string run = dir.Combine("run");
        var train = CliRunner.Run(TrainArgs(run, 10, "--i_testset", "5"));
        Assert.True(train.ExitCode == 0, train.Error + train.Out);
        string path = Path.Combine(run, "report.html");
        Assert.True(File.Exists(path), train.Out + train.Error);
        string html = File.ReadAllText(path);
        AssertSelfContained(html);

        // Curves: four plots; the train series has one point per metrics.jsonl line (steps 1, 5, 10).
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(3, metrics.Length);
        Assert.True(JsonDocument.Parse(metrics[^1]).RootElement.GetProperty("peak_rss_bytes").GetInt64() > 0);
        var plots = SvgElements(html);
        Assert.Equal(4, plots.Count);
        foreach (XElement plot in plots)
        {
            var series = plot.Elements("g").Where(g => (string?)g.Attribute("class") == "series").ToList();
            XElement trainSeries = series.Single(g => ((string)g.Attribute("data-series")!).StartsWith("train", StringComparison.Ordinal));
            Assert.Equal(3, Reports.SvgLinePlotWriterTests.PolylinePoints(trainSeries).Count);
        }

        // The PSNR plots carry the held-out points: the testset_000005 folder and the report's own val renders.
        XElement psnrPlot = plots.Single(p => p.Element("title")!.Value == "PSNR against step");
        Assert.Single(psnrPlot.Elements("g").Where(g => ((string?)g.Attribute("data-series") ?? string.Empty).StartsWith("held-out", StringComparison.Ordinal)).Elements("circle"));
        Assert.Single(psnrPlot.Elements("g").Where(g => ((string?)g.Attribute("data-series") ?? string.Empty).StartsWith("val, 2 views", StringComparison.Ordinal)).Elements("circle"));
        Assert.Equal("log", plots.Single(p => p.Element("title")!.Value == "Loss against step").Attribute("data-y-scale")!.Value);
        Assert.Equal("10", plots.Single(p => p.Element("title")!.Value == "Loss against step").Attribute("data-x-max")!.Value);

        // Images: both val views as ground truth, render, error and depth, 32x32 PNGs that decode.
        var images = Images(html);
        foreach (string kind in new[] { "gt", "render", "error", "depth" })
        {
            var ofKind = images.Where(i => i.Kind == kind).ToList();
            Assert.Equal(2, ofKind.Count);
            Assert.All(ofKind, i => Assert.Equal((32, 32), (i.Png.Width, i.Png.Height)));
            Assert.All(ofKind, i => Assert.Equal((i.Width, i.Height), (i.Png.Width, i.Png.Height)));
        }

        // Config, verbatim (HTML-escaped).
        Assert.Contains(WebUtility.HtmlEncode(File.ReadAllText(Path.Combine(run, "config.json"))), html, StringComparison.Ordinal);

        // Numbers: parameter count as train printed it, the step, the val scores as nerf eval computes them.
        string parameters = Regex.Match(train.Out, @"parameters: ([\d,]+)").Groups[1].Value;
        Assert.Contains($"<tr><th>parameters</th><td>{parameters}</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>step</th><td>10</td></tr>", html, StringComparison.Ordinal);
        var eval = CliRunner.Run("eval", "--run", run, "--split", "val", "--json", "--out", dir.Combine("eval"));
        Assert.True(eval.ExitCode == 0, eval.Error);
        var scores = JsonDocument.Parse(eval.Out.Trim()).RootElement;
        Assert.Contains($"<tr><th>val PSNR (mean of 2 views)</th><td>{scores.GetProperty("psnr").GetDouble():F2} dB</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains($"<tr><th>val SSIM (mean of 2 views)</th><td>{scores.GetProperty("ssim").GetDouble():F4}</td></tr>", html, StringComparison.Ordinal);
        Assert.Matches(@"<tr><th>peak memory \(RSS\)</th><td>\d+ MiB</td></tr>", html);
        Assert.Matches(@"<tr><th>steps/s</th><td>\d+\.\d\d</td></tr>", html);
        Assert.Matches(@"<tr><th>logical cores</th><td>\d+</td></tr>", html);
        Assert.Matches(@"<tr><th>SIMD width</th><td>(128|256|512) bits</td></tr>", html);

        // nerf report: the same report of the latest checkpoint, elsewhere and with fewer views.
        string other = dir.Combine("reports", "other.html"); // a folder that does not exist yet
        var report = CliRunner.Run("report", "--run", run, "--views", "1", "--out", other);
        Assert.True(report.ExitCode == 0, report.Error + report.Out);
        string otherHtml = File.ReadAllText(other);
        AssertSelfContained(otherHtml);
        Assert.Single(Images(otherHtml), i => i.Kind == "render");
        Assert.Equal(4, SvgElements(otherHtml).Count);
    }

    [Fact]
    public void AFailedReportWarnsButKeepsTheRun()
    {
        using var dir = new TempDirectory();
        string run = dir.Combine("run");
        Directory.CreateDirectory(Path.Combine(run, "report.html")); // a folder where the file should go
        var train = CliRunner.Run(TrainArgs(run, 2));
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("warning: the run report was not written", train.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "step_000002.safetensors")));
    }

    [Fact]
    public void ReportOfAFolderWithoutCheckpointsIsOneSentence()
    {
        using var dir = new TempDirectory();
        string empty = dir.Combine("empty");
        Directory.CreateDirectory(empty);
        var r = CliRunner.Run("report", "--run", empty);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"error: {Path.Combine(empty, "config.json")}: not a NerfSharp run folder: config.json is missing", r.Error.Trim());

        File.WriteAllText(Path.Combine(empty, "config.json"), "{}");
        r = CliRunner.Run("report", "--run", empty);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"error: {Path.Combine(empty, "checkpoints")}: the run has no checkpoint yet (train it first)", r.Error.Trim());
        Assert.False(File.Exists(Path.Combine(empty, "report.html")));

        var help = CliRunner.Run("report", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--views", help.Out, StringComparison.Ordinal);
        Assert.Contains("Example", help.Out, StringComparison.Ordinal);
    }

    /// <summary>No scripts, no URLs: every src and href is a data: URI or an in-page anchor.</summary>
    private static void AssertSelfContained(string html)
    {
        foreach (Match m in AttributeUrl().Matches(html))
        {
            string value = m.Groups[2].Value;
            Assert.True(value.StartsWith("data:image/", StringComparison.Ordinal) || value.StartsWith('#'), $"{m.Groups[1].Value}={value[..Math.Min(60, value.Length)]}");
        }

        string withoutData = DataUri().Replace(html, "data:");
        foreach (string forbidden in new[] { "http:", "https:", "//", "<script", "@import", "url(", "<link", "<iframe", "<object" })
        {
            Assert.DoesNotContain(forbidden, withoutData, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static List<XElement> SvgElements(string html) =>
        SvgBlock().Matches(html).Select(m => XElement.Parse(m.Value)).ToList();

    private static List<(string Kind, int Width, int Height, DecodedPng Png)> Images(string html) =>
        ImgTag().Matches(html).Select(m => (
            m.Groups[1].Value,
            int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
            PngDecoder.Decode(Convert.FromBase64String(m.Groups[4].Value), "report image"))).ToList();

    [GeneratedRegex("(src|href)\\s*=\\s*\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex AttributeUrl();

    [GeneratedRegex("data:[a-z/+]+;base64,[A-Za-z0-9+/=]*")]
    private static partial Regex DataUri();

    [GeneratedRegex("<svg[\\s\\S]*?</svg>")]
    private static partial Regex SvgBlock();

    [GeneratedRegex("<img class=\"([a-z]+)\" width=\"(\\d+)\" height=\"(\\d+)\" alt=\"[^\"]*\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\">")]
    private static partial Regex ImgTag();
}
