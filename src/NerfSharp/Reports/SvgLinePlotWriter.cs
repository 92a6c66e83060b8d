using System.Globalization;
using System.Net;
using System.Text;

namespace NerfSharp.Reports;

/// <summary>
/// Draws a <see cref="LinePlot"/> as a standalone SVG element (no namespace URL, no scripts, no external fonts) for
/// inlining in HTML: frame, grid, ticks and tick labels, axis labels, title, each series as a polyline or as circle
/// markers inside a <c>&lt;g class="series" data-series="NAME"&gt;</c>, and a legend. The root element carries the
/// axis ranges as <c>data-x-min</c>, <c>data-x-max</c>, <c>data-y-min</c>, <c>data-y-max</c> and <c>data-y-scale</c>.
/// </summary>
public static class SvgLinePlotWriter
{
    private const double MarginLeft = 64;
    private const double MarginRight = 18;
    private const double MarginTop = 30;
    private const double MarginBottom = 46;

    /// <summary>Series colours in order (a colour-blind-safe qualitative palette).</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"];

    public static string Write(LinePlot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        var series = plot.Series.Select(s => s with { Points = Thin(s.Points, plot.MaxPointsPerSeries) }).ToList();
        AxisRange x = AxisRange.For(series.SelectMany(s => s.Points).Where(p => Shows(p, plot.YScale)).Select(p => p.X), AxisScale.Linear);
        AxisRange y = AxisRange.For(series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X)).Select(p => p.Y), plot.YScale);
        double left = MarginLeft, right = plot.Width - MarginRight, top = MarginTop, bottom = plot.Height - MarginBottom;
        double Px(double v) => left + (x.Fraction(v) * (right - left));
        double Py(double v) => bottom - (y.Fraction(v) * (bottom - top));

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"plot\" width=\"{plot.Width}\" height=\"{plot.Height}\" viewBox=\"0 0 {plot.Width} {plot.Height}\" role=\"img\"");
        sb.Append(CultureInfo.InvariantCulture, $" data-x-min=\"{Num(x.Min)}\" data-x-max=\"{Num(x.Max)}\" data-y-min=\"{Num(y.Min)}\" data-y-max=\"{Num(y.Max)}\" data-y-scale=\"{(y.Scale == AxisScale.Log ? "log" : "linear")}\"");
        sb.Append(" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append("<title>").Append(Escape(plot.Title)).Append("</title>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{plot.Width}\" height=\"{plot.Height}\" fill=\"#ffffff\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"title\" x=\"{Coord((left + right) / 2)}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{Escape(plot.Title)}</text>\n");

        sb.Append("<g class=\"x-ticks\" stroke=\"#dddddd\">\n");
        foreach (double t in x.Ticks)
        {
            double px = Px(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Coord(px)}\" y1=\"{Coord(top)}\" x2=\"{Coord(px)}\" y2=\"{Coord(bottom + 4)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Coord(px)}\" y=\"{Coord(bottom + 16)}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">{Escape(x.Label(t))}</text>\n");
        }

        sb.Append("</g>\n<g class=\"y-ticks\" stroke=\"#dddddd\">\n");
        foreach (double t in y.Ticks)
        {
            double py = Py(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Coord(left - 4)}\" y1=\"{Coord(py)}\" x2=\"{Coord(right)}\" y2=\"{Coord(py)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Coord(left - 7)}\" y=\"{Coord(py + 4)}\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\">{Escape(y.Label(t))}</text>\n");
        }

        sb.Append("</g>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"frame\" x=\"{Coord(left)}\" y=\"{Coord(top)}\" width=\"{Coord(right - left)}\" height=\"{Coord(bottom - top)}\" fill=\"none\" stroke=\"#555555\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"x-label\" x=\"{Coord((left + right) / 2)}\" y=\"{Coord(plot.Height - 8)}\" text-anchor=\"middle\">{Escape(plot.XLabel)}</text>\n");
        double ly = (top + bottom) / 2;
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"y-label\" x=\"14\" y=\"{Coord(ly)}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Coord(ly)})\">{Escape(plot.YLabel)}</text>\n");

        bool any = false;
        for (int s = 0; s < series.Count; s++)
        {
            string color = Palette[s % Palette.Count];
            var points = series[s].Points.Where(p => double.IsFinite(p.X) && y.Shows(p.Y)).ToList();
            any |= points.Count > 0;
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"series\" data-series=\"{Escape(series[s].Name)}\" data-points=\"{points.Count}\">");
            if (series[s].Style == PlotSeriesStyle.Line && points.Count > 1)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"");
                for (int i = 0; i < points.Count; i++)
                {
                    sb.Append(i == 0 ? string.Empty : " ").Append(Coord(Px(points[i].X))).Append(',').Append(Coord(Py(points[i].Y)));
                }

                sb.Append("\"/>");
            }
            else
            {
                foreach (PlotPoint p in points)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Coord(Px(p.X))}\" cy=\"{Coord(Py(p.Y))}\" r=\"3.5\" fill=\"{color}\" stroke=\"#ffffff\" stroke-width=\"0.8\"/>");
                }
            }

            sb.Append("</g>\n");
        }

        if (!any)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"no-data\" x=\"{Coord((left + right) / 2)}\" y=\"{Coord(ly)}\" text-anchor=\"middle\" fill=\"#888888\">no data</text>\n");
        }

        sb.Append("<g class=\"legend\">\n");
        double legendWidth = 24 + (7 * series.Select(s => s.Name.Length).DefaultIfEmpty(0).Max());
        double legendHeight = 15 * series.Count;

        // The corner whose legend box would cover the fewest data points (top right on a tie).
        var drawn = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && y.Shows(p.Y)).Select(p => (X: Px(p.X), Y: Py(p.Y))).ToList();
        (double X, double Y) corner = new[] { (right - legendWidth - 6, top + 4), (right - legendWidth - 6, bottom - legendHeight - 6), (left + 10, top + 4), (left + 10, bottom - legendHeight - 6) }
            .MinBy(c => drawn.Count(p => p.X >= c.Item1 - 8 && p.X <= c.Item1 + legendWidth + 8 && p.Y >= c.Item2 - 4 && p.Y <= c.Item2 + legendHeight + 4));
        for (int s = 0; s < series.Count; s++)
        {
            string color = Palette[s % Palette.Count];
            double lx = corner.X, lyy = corner.Y + 10 + (s * 15);
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Coord(lx - 4)}\" y=\"{Coord(lyy - 10)}\" width=\"{Coord(legendWidth + 8)}\" height=\"15\" fill=\"#ffffff\" fill-opacity=\"0.8\"/>");
            sb.Append(series[s].Style == PlotSeriesStyle.Line
                ? string.Create(CultureInfo.InvariantCulture, $"<line x1=\"{Coord(lx)}\" y1=\"{Coord(lyy - 3)}\" x2=\"{Coord(lx + 16)}\" y2=\"{Coord(lyy - 3)}\" stroke=\"{color}\" stroke-width=\"2\"/>")
                : string.Create(CultureInfo.InvariantCulture, $"<circle cx=\"{Coord(lx + 8)}\" cy=\"{Coord(lyy - 3)}\" r=\"3.5\" fill=\"{color}\"/>"));
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Coord(lx + 22)}\" y=\"{Coord(lyy + 1)}\">{Escape(series[s].Name)}</text>\n");
        }

        sb.Append("</g>\n</svg>");
        return sb.ToString();
    }

    /// <summary>At most <paramref name="max"/> points taken evenly, the first and last always among them.</summary>
    private static IReadOnlyList<PlotPoint> Thin(IReadOnlyList<PlotPoint> points, int max)
    {
        if (max < 2 || points.Count <= max)
        {
            return points;
        }

        var kept = new PlotPoint[max];
        for (int i = 0; i < max; i++)
        {
            kept[i] = points[(int)Math.Round((double)i * (points.Count - 1) / (max - 1))];
        }

        return kept;
    }

    private static bool Shows(PlotPoint p, AxisScale yScale) => double.IsFinite(p.Y) && (yScale == AxisScale.Linear || p.Y > 0);

    private static string Coord(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
