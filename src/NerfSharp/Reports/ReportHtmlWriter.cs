using System.Globalization;
using System.Net;
using System.Text;
using NerfSharp.Imaging;
using NerfSharp.IO;

namespace NerfSharp.Reports;

/// <summary>
/// Writes a <see cref="RunReport"/> as one self-contained HTML page: inline CSS, plots as inline SVG, images as
/// <c>data:image/png</c> URIs, links only to anchors within the page; no scripts, fonts or anything fetched from elsewhere.
/// Sections: summary, curves, validation views, validation PSNR points, timings and throughput, machine, config.
/// </summary>
public static class ReportHtmlWriter
{
    private const string Style = """
        body { font-family: sans-serif; margin: 24px auto; max-width: 1240px; color: #222; background: #fafafa; }
        h1 { margin-bottom: 4px; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 32px; }
        nav a { margin-right: 14px; } .muted { color: #777; }
        table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ddd; padding: 4px 10px; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
        .plots svg { border: 1px solid #ddd; background: #fff; }
        .view { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0 20px 0; }
        figure { margin: 0; } figcaption { font-size: 12px; color: #555; text-align: center; }
        figure img { image-rendering: pixelated; border: 1px solid #ccc; min-width: 128px; min-height: 128px; height: auto; }
        pre { background: #fff; border: 1px solid #ddd; padding: 10px; overflow-x: auto; font-size: 12px; }
        """;

    /// <summary>Writes the page to <paramref name="path"/> (atomically: a reader never sees half a report).</summary>
    public static void Write(string path, RunReport report) => AtomicFile.WriteAllText(path, ToHtml(report));

    public static string ToHtml(RunReport report)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<title>NerfSharp run report: ").Append(Escape(Path.GetFileName(report.RunPath))).Append("</title>\n");
        sb.Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>NerfSharp run report</h1>\n");
        sb.Append("<p class=\"muted\">").Append(Escape(report.RunPath)).Append(" &middot; written ")
            .Append(report.GeneratedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC</p>\n");
        sb.Append("<nav><a href=\"#summary\">Summary</a><a href=\"#curves\">Curves</a><a href=\"#validation\">Validation</a>")
            .Append("<a href=\"#timings\">Timings</a><a href=\"#machine\">Machine</a><a href=\"#config\">Config</a></nav>\n");

        Summary(sb, report);
        sb.Append("<section id=\"curves\">\n<h2>Curves</h2>\n<div class=\"plots\">\n");
        foreach (LinePlot plot in report.Plots)
        {
            sb.Append(SvgLinePlotWriter.Write(plot)).Append('\n');
        }

        sb.Append("</div>\n<p class=\"muted\">Train loss and PSNR are those of each logged training batch (metrics.jsonl); markers are held-out PSNRs.</p>\n</section>\n");
        Validation(sb, report);
        Timings(sb, report);
        Machine(sb, report.Machine);
        sb.Append("<section id=\"config\">\n<h2>Config</h2>\n<p class=\"muted\">config.json, the resolved config of the run.</p>\n<pre>")
            .Append(Escape(report.ConfigJson)).Append("</pre>\n</section>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Summary(StringBuilder sb, RunReport r)
    {
        var v = r.Validation;
        sb.Append("<section id=\"summary\">\n<h2>Summary</h2>\n<table>\n");
        Row(sb, "model", r.ModelName);
        Row(sb, "parameters", r.ParameterCount.ToString("N0", CultureInfo.InvariantCulture));
        Row(sb, "step", r.Step.ToString(CultureInfo.InvariantCulture));
        Row(sb, "checkpoint", r.CheckpointPath);
        Row(sb, "training time", Seconds(r.Timings.TrainSeconds));
        Row(sb, $"{v.Split} PSNR (mean of {v.Views.Count} views)", v.Views.Count > 0 ? Fixed(v.MeanPsnr, 2) + " dB" : "n/a");
        Row(sb, $"{v.Split} SSIM (mean of {v.Views.Count} views)", v.Views.Count > 0 ? Fixed(v.MeanSsim, 4) : "n/a");
        Row(sb, "peak memory (RSS)", Bytes(r.PeakRssBytes));
        sb.Append("</table>\n</section>\n");
    }

    private static void Validation(StringBuilder sb, RunReport r)
    {
        var v = r.Validation;
        sb.Append("<section id=\"validation\">\n<h2>Validation views</h2>\n");
        if (v.Unavailable != null)
        {
            sb.Append("<p>No views rendered: ").Append(Escape(v.Unavailable)).Append("</p>\n");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p>{v.Views.Count} of the {v.SplitViews} views of the {Escape(v.Split)} split, rendered from the checkpoint at step {r.Step}; scores at full resolution.</p>\n");
            sb.Append("<p>Absolute error (mean over R, G, B), one scale for all views: 0 ");
            Img(sb, PngEncoder.Encode(ColorMap.Viridis.Bar(160, 12)), 160, 12, "error colour scale", "colorbar");
            sb.Append(' ').Append(Fixed(v.ErrorScale, 3)).Append(" or more (the 99th percentile). Depth: near ");
            Img(sb, PngEncoder.Encode(ColorMap.Turbo.Bar(160, 12)), 160, 12, "depth colour scale", "colorbar");
            sb.Append(" far, per view; empty space is dark grey.</p>\n");
            foreach (ReportView view in v.Views)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<h3>{Escape(view.Name)}: PSNR {Fixed(view.Psnr, 2)} dB, SSIM {Fixed(view.Ssim, 4)}</h3>\n<div class=\"view\">\n");
                Figure(sb, view.GroundTruthPng, view, "ground truth", "gt");
                Figure(sb, view.RenderPng, view, $"render ({Fixed(view.RenderSeconds, 2)} s)", "render");
                Figure(sb, view.ErrorPng, view, "absolute error", "error");
                Figure(sb, view.DepthPng, view, $"depth {Fixed(view.DepthMin, 2)} .. {Fixed(view.DepthMax, 2)}", "depth");
                sb.Append("</div>\n");
            }

            sb.Append("<table>\n<tr><th>view</th><th>PSNR (dB)</th><th>SSIM</th><th>render (s)</th></tr>\n");
            foreach (ReportView view in v.Views)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{Escape(view.Name)}</td><td class=\"num\">{Fixed(view.Psnr, 2)}</td><td class=\"num\">{Fixed(view.Ssim, 4)}</td><td class=\"num\">{Fixed(view.RenderSeconds, 2)}</td></tr>\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<tr><th>mean</th><th class=\"num\">{Fixed(v.MeanPsnr, 2)}</th><th class=\"num\">{Fixed(v.MeanSsim, 4)}</th><th></th></tr>\n</table>\n");
        }

        if (r.ValidationPoints.Count > 0)
        {
            sb.Append("<h3>Held-out PSNR points</h3>\n<table>\n<tr><th>step</th><th>training time</th><th>PSNR (dB)</th><th>source</th></tr>\n");
            foreach (ValidationPoint p in r.ValidationPoints)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{p.Step}</td><td class=\"num\">{Seconds(p.Seconds)}</td><td class=\"num\">{Fixed(p.Psnr, 2)}</td><td>{Escape(p.Source)}</td></tr>\n");
            }

            sb.Append("</table>\n");
        }

        sb.Append("</section>\n");
    }

    private static void Timings(StringBuilder sb, RunReport r)
    {
        var t = r.Timings;
        sb.Append("<section id=\"timings\">\n<h2>Timings and throughput</h2>\n<table>\n");
        Row(sb, "training time (all sessions)", Seconds(t.TrainSeconds));
        Row(sb, "steps", t.Steps.ToString(CultureInfo.InvariantCulture));
        Row(sb, "steps/s", Fixed(t.StepsPerSecond, 2));
        Row(sb, "rays per step (mean of logged steps)", Rate(t.RaysPerStep));
        Row(sb, "rays/s (end to end)", Rate(t.RaysPerSecond));
        Row(sb, "samples per ray (mean)", t.SamplesPerRay.HasValue ? Fixed(t.SamplesPerRay.Value, 1) : "n/a");
        Row(sb, "samples/s (end to end)", Rate(t.SamplesPerSecond));
        Row(sb, "samples/s (fastest logged step)", Rate(t.PeakSamplesPerSecond));
        Row(sb, "peak memory (RSS)", Bytes(r.PeakRssBytes));
        sb.Append("</table>\n<p class=\"muted\">End-to-end rates are the logged means times steps/s; the training time excludes loading, evaluations and renders during training.</p>\n</section>\n");
    }

    private static void Machine(StringBuilder sb, MachineInfo m)
    {
        sb.Append("<section id=\"machine\">\n<h2>Machine</h2>\n<p class=\"muted\">Where this report was written.</p>\n<table>\n");
        Row(sb, "CPU", m.CpuModel);
        Row(sb, "logical cores", m.LogicalCores.ToString(CultureInfo.InvariantCulture));
        Row(sb, "SIMD width", m.SimdWidthBits > 0 ? $"{m.SimdWidthBits} bits" : "none");
        Row(sb, "instruction sets", m.InstructionSets);
        Row(sb, "OS", m.OperatingSystem);
        Row(sb, "runtime", m.Runtime);
        sb.Append("</table>\n</section>\n");
    }

    private static void Figure(StringBuilder sb, byte[] png, ReportView view, string caption, string kind)
    {
        sb.Append("<figure>");
        Img(sb, png, view.Width, view.Height, $"{view.Name} {caption}", kind);
        sb.Append("<figcaption>").Append(Escape(caption)).Append("</figcaption></figure>\n");
    }

    private static void Img(StringBuilder sb, byte[] png, int width, int height, string alt, string kind) =>
        sb.Append(CultureInfo.InvariantCulture, $"<img class=\"{kind}\" width=\"{width}\" height=\"{height}\" alt=\"{Escape(alt)}\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(png)).Append("\">");

    private static void Row(StringBuilder sb, string name, string value) =>
        sb.Append("<tr><th>").Append(Escape(name)).Append("</th><td>").Append(Escape(value)).Append("</td></tr>\n");

    private static string Fixed(double v, int decimals) =>
        double.IsFinite(v) ? v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";

    private static string Seconds(double s) => double.IsFinite(s) ? $"{Fixed(s, 1)} s" : "n/a";

    private static string Rate(double? v) => v is double d && double.IsFinite(d) ? d.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string Bytes(long? b) => b is long v ? $"{v / (1024.0 * 1024.0):F0} MiB" : "not logged";

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
