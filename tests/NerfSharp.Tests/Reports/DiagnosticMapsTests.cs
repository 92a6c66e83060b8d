using NerfSharp.Evaluation;
using NerfSharp.Imaging;
using NerfSharp.Reports;

namespace NerfSharp.Tests.Reports;

public sealed class DiagnosticMapsTests
{
    [Fact]
    public void AbsoluteErrorIsTheMeanOverColourChannels()
    {
        var render = new Image(2, 1, 3, [0.5f, 0.5f, 0.5f, 1f, 0f, 0f]);
        var truth = new Image(2, 1, 4, [0.5f, 0.2f, 0.8f, 1f, 0f, 0f, 0f, 0.3f]); // alpha ignored
        float[] error = DiagnosticMaps.AbsoluteError(render, truth);
        Assert.Equal(0.2f, error[0], 5);
        Assert.Equal(1f / 3, error[1], 5);
    }

    [Fact]
    public void ErrorImageRunsFromTheRampsFirstColourToItsLast()
    {
        Image image = DiagnosticMaps.ErrorImage([0f, 0.1f, 0.5f], 3, 1, 0.1f);
        Assert.Equal(ColorMap.Viridis.Evaluate(0), (image.Pixels[0], image.Pixels[1], image.Pixels[2]));
        Assert.Equal(ColorMap.Viridis.Evaluate(1), (image.Pixels[3], image.Pixels[4], image.Pixels[5]));
        Assert.Equal(ColorMap.Viridis.Evaluate(1), (image.Pixels[6], image.Pixels[7], image.Pixels[8])); // clamped above the scale
        Assert.NotEqual(ColorMap.Viridis.Evaluate(0), ColorMap.Viridis.Evaluate(1));
    }

    [Fact]
    public void DepthSpansTheOpaquePixelsAndEmptySpaceIsGrey()
    {
        var rgb = new Image(3, 1, 3);
        var rendered = new RenderedImage(rgb, [2f, 4f, 100f], [0f, 0f, 0f], [1f, 1f, 0f]);
        var (image, min, max) = DiagnosticMaps.DepthImage(rendered);
        Assert.Equal((2f, 4f), (min, max)); // the transparent pixel's far depth does not stretch the range
        Assert.Equal(ColorMap.Turbo.Evaluate(0), (image.Pixels[0], image.Pixels[1], image.Pixels[2]));
        Assert.Equal(ColorMap.Turbo.Evaluate(1), (image.Pixels[3], image.Pixels[4], image.Pixels[5]));
        Assert.Equal(image.Pixels[6], image.Pixels[7]);
        Assert.Equal(image.Pixels[7], image.Pixels[8]);
    }

    [Fact]
    public void QuantileSkipsNaN()
    {
        Assert.Equal(3f, DiagnosticMaps.Quantile([float.NaN, 1f, 2f, 3f], 1.0));
        Assert.Equal(1f, DiagnosticMaps.Quantile([float.NaN, 1f, 2f, 3f], 0.0));
        Assert.Equal(0f, DiagnosticMaps.Quantile([], 0.5));
    }
}
