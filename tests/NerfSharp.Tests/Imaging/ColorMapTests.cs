using NerfSharp.Imaging;

namespace NerfSharp.Tests.Imaging;

public class ColorMapTests
{
    [Theory]
    [InlineData(0.0, 0.18995, 0.07176, 0.23217)] // Turbo table, entry 0
    [InlineData(128 / 255.0, 0.64362, 0.98999, 0.23356)] // entry 128
    [InlineData(64 / 255.0, 0.15844, 0.73551, 0.92305)] // entry 64
    [InlineData(1.0, 0.47960, 0.01583, 0.01055)] // entry 255
    [InlineData(-3.0, 0.18995, 0.07176, 0.23217)] // clamped
    [InlineData(7.0, 0.47960, 0.01583, 0.01055)]
    public void TurboMatchesItsPublishedTable(double t, double r, double g, double b)
    {
        var (cr, cg, cb) = ColorMap.Turbo.Evaluate(t);
        Assert.Equal(r, cr, 5);
        Assert.Equal(g, cg, 5);
        Assert.Equal(b, cb, 5);
    }

    [Fact]
    public void TurboInterpolatesBetweenEntries()
    {
        var (r, g, b) = ColorMap.Turbo.Evaluate(0.5 / 255.0);
        Assert.Equal((0.18995 + 0.19483) / 2, r, 1e-6);
        Assert.Equal((0.07176 + 0.08339) / 2, g, 1e-6);
        Assert.Equal((0.23217 + 0.26149) / 2, b, 1e-6);
    }

    [Theory]
    [InlineData(0.0, 0.267004, 0.004874, 0.329415)] // matplotlib viridis #440154
    [InlineData(0.5, 0.127568, 0.566949, 0.550556)] // #21918c
    [InlineData(1.0, 0.993248, 0.906157, 0.143936)] // #fde725
    public void ViridisIsWithinItsFitOfMatplotlib(double t, double r, double g, double b)
    {
        var (cr, cg, cb) = ColorMap.Viridis.Evaluate(t);
        Assert.InRange(cr, r - 0.015, r + 0.015);
        Assert.InRange(cg, g - 0.015, g + 0.015);
        Assert.InRange(cb, b - 0.015, b + 0.015);
    }

    [Fact]
    public void ColorizeMapsTheRangeAndBlendsWithTheBackgroundByWeight()
    {
        float[] values = [2f, 6f, 4f, float.NaN];
        float[] weights = [1f, 1f, 0f, 1f];
        Image image = ColorMaps.Colorize(values, 2, 2, 2f, 6f, ColorMap.Turbo, weights, (1f, 1f, 1f));
        Assert.Equal(0.18995f, image[0, 0, 0], 5);
        Assert.Equal(0.47960f, image[1, 0, 0], 5);
        Assert.Equal(1f, image[0, 1, 0]);
        Assert.Equal(1f, image[0, 1, 2]);
        Assert.Equal(0.18995f, image[1, 1, 0], 5);
        Assert.Equal(ColorMap.Viridis, ColorMaps.Parse("Viridis"));
        Assert.Throws<ArgumentException>(() => ColorMaps.Parse("jet"));
    }
}
