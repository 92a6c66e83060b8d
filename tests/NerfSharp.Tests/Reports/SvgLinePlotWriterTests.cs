using System.Globalization;
using System.Xml.Linq;
using NerfSharp.Reports;

namespace NerfSharp.Tests.Reports;

public sealed class SvgLinePlotWriterTests
{
    [Fact]
    public void LinearPlotHasEveryPointInsideTheFrameAndANiceAxisRange()
    {
        var points = new List<PlotPoint>();
        for (int i = 0; i < 7; i++)
        {
            points.Add(new PlotPoint(i * 10, 12.3 + (i * 2.5)));
        }

        var markers = new List<PlotPoint> { new(30, 20), new(60, 26) };
        XElement svg = Parse(new LinePlot("PSNR", "step", "PSNR (dB)", [new PlotSeries("train", points), new PlotSeries("val", markers, PlotSeriesStyle.Markers)]));

        Assert.Equal("0", svg.Attribute("data-x-min")!.Value);
        Assert.Equal("60", svg.Attribute("data-x-max")!.Value);
        Assert.Equal("10", svg.Attribute("data-y-min")!.Value); // 12.3 .. 27.3 in steps of 5
        Assert.Equal("30", svg.Attribute("data-y-max")!.Value);
        Assert.Equal("linear", svg.Attribute("data-y-scale")!.Value);
        Assert.Equal(["10", "15", "20", "25", "30"], TickLabels(svg, "y-ticks"));
        Assert.Equal(["0", "20", "40", "60"], TickLabels(svg, "x-ticks"));

        var (left, top, right, bottom) = Frame(svg);
        var line = PolylinePoints(Series(svg, "train"));
        Assert.Equal(7, line.Count);
        Assert.Equal(left, line[0].X, 1);
        Assert.Equal(right, line[^1].X, 1);

        // y = 12.3 sits 2.3/20 of the way up from the bottom; y = 27.3 sits 17.3/20 of the way.
        Assert.Equal(bottom - ((bottom - top) * 2.3 / 20), line[0].Y, 0);
        Assert.Equal(bottom - ((bottom - top) * 17.3 / 20), line[^1].Y, 0);
        var circles = Series(svg, "val").Elements("circle").ToList();
        Assert.Equal(2, circles.Count);
        Assert.Equal(right, Attr(circles[1], "cx"), 1);

        var legend = svg.Elements("g").Single(g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(["train", "val"], legend.Elements("text").Select(t => t.Value));
    }

    [Fact]
    public void LogPlotSpansWholeDecadesAndLeavesOutNonPositiveValues()
    {
        var loss = new List<PlotPoint> { new(0, 0.05), new(100, 0.01), new(200, 0), new(300, -1), new(400, 0.0004), new(500, double.NaN) };
        XElement svg = Parse(new LinePlot("loss", "step", "loss", [new PlotSeries("loss", loss)], AxisScale.Log));

        Assert.Equal("log", svg.Attribute("data-y-scale")!.Value);
        Assert.Equal(1e-4, double.Parse(svg.Attribute("data-y-min")!.Value, CultureInfo.InvariantCulture), 12);
        Assert.Equal(0.1, double.Parse(svg.Attribute("data-y-max")!.Value, CultureInfo.InvariantCulture), 12);
        Assert.Equal(["1e-4", "0.001", "0.01", "0.1"], TickLabels(svg, "y-ticks"));
        Assert.Equal("400", svg.Attribute("data-x-max")!.Value); // the NaN at x = 500 is not drawn
        var line = PolylinePoints(Series(svg, "loss"));
        Assert.Equal(3, line.Count);

        // 0.01 lies two of the three decades up.
        var (_, top, _, bottom) = Frame(svg);
        Assert.Equal(bottom - ((bottom - top) * 2 / 3), line[1].Y, 0);
    }

    [Fact]
    public void LongSeriesAreThinnedKeepingFirstAndLast()
    {
        var points = Enumerable.Range(0, 5000).Select(i => new PlotPoint(i, Math.Sin(i * 0.01))).ToList();
        XElement svg = Parse(new LinePlot("sin", "x", "y", [new PlotSeries("sin", points)], MaxPointsPerSeries: 1500));
        var line = PolylinePoints(Series(svg, "sin"));
        Assert.Equal(1500, line.Count);
        Assert.Equal("5000", svg.Attribute("data-x-max")!.Value); // 0 .. 4999 in steps of 1000
    }

    [Fact]
    public void EmptyPlotSaysNoData()
    {
        XElement svg = Parse(new LinePlot("empty", "x", "y", [new PlotSeries("nothing", [])]));
        Assert.Contains(svg.Elements("text"), t => (string?)t.Attribute("class") == "no-data");
        Assert.Equal("0", Series(svg, "nothing").Attribute("data-points")!.Value);
    }

    [Theory]
    [InlineData(0.31, 0.68, 0.3, 0.7, 0.1)]
    [InlineData(3, 3, 2.6, 3.4, 0.2)]
    [InlineData(-7, 42, -10, 50, 10)]
    public void LinearAxisRangeCoversTheDataWithANiceStep(double min, double max, double lo, double hi, double step)
    {
        AxisRange r = AxisRange.Linear(min, max);
        Assert.Equal(lo, r.Min, 12);
        Assert.Equal(hi, r.Max, 12);
        Assert.Equal(step, r.Step, 12);
        Assert.Equal(lo, r.Ticks[0], 12);
        Assert.Equal(hi, r.Ticks[^1], 12);
    }

    internal static XElement Parse(LinePlot plot) => XElement.Parse(SvgLinePlotWriter.Write(plot));

    internal static XElement Series(XElement svg, string name) =>
        svg.Elements("g").Single(g => (string?)g.Attribute("class") == "series" && (string?)g.Attribute("data-series") == name);

    internal static List<(double X, double Y)> PolylinePoints(XElement series) =>
        series.Element("polyline")!.Attribute("points")!.Value.Split(' ')
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();

    private static List<string> TickLabels(XElement svg, string axis) =>
        svg.Elements("g").Single(g => (string?)g.Attribute("class") == axis).Elements("text").Select(t => t.Value).ToList();

    private static (double Left, double Top, double Right, double Bottom) Frame(XElement svg)
    {
        XElement frame = svg.Elements("rect").Single(r => (string?)r.Attribute("class") == "frame");
        double x = Attr(frame, "x"), y = Attr(frame, "y");
        return (x, y, x + Attr(frame, "width"), y + Attr(frame, "height"));
    }

    private static double Attr(XElement e, string name) => double.Parse(e.Attribute(name)!.Value, CultureInfo.InvariantCulture);
}
