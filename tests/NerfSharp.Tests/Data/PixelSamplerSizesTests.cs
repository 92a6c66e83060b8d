using NerfSharp.Data;
using NerfSharp.Training;

namespace NerfSharp.Tests.Data;

/// <summary><see cref="PixelSampler"/> over images of different sizes.</summary>
public sealed class PixelSamplerSizesTests
{
    [Fact]
    public void OneEpochVisitsEveryPixelOfEveryImageOnce()
    {
        (int, int)[] sizes = [(5, 3), (2, 7), (4, 4), (1, 1)];
        var sampler = new PixelSampler(sizes, batching: true, precropIters: 0, precropFrac: 0.5, seed: 3);
        Assert.Equal(15 + 14 + 16 + 1, sampler.PixelCount);
        var seen = new HashSet<PixelIndex>();
        var batch = new PixelIndex[46];
        sampler.Next(0, batch);
        foreach (PixelIndex p in batch)
        {
            var (w, h) = sizes[p.Image];
            Assert.InRange(p.X, 0, w - 1);
            Assert.InRange(p.Y, 0, h - 1);
            Assert.True(seen.Add(p));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EqualSizesDrawTheSameSequenceAsTheUniformConstructor(bool batching)
    {
        var a = new PixelSampler(3, 10, 8, batching, precropIters: 2, precropFrac: 0.5, seed: 9);
        var b = new PixelSampler([(10, 8), (10, 8), (10, 8)], batching, precropIters: 2, precropFrac: 0.5, seed: 9);
        var x = new PixelIndex[8];
        var y = new PixelIndex[8];
        for (int step = 0; step < 20; step++)
        {
            a.Next(step, x);
            b.Next(step, y);
            Assert.Equal(x, y);
        }
    }

    [Fact]
    public void OneImageStepsUseThatImagesSize()
    {
        (int, int)[] sizes = [(3, 2), (40, 30)];
        var sampler = new PixelSampler(sizes, batching: false, precropIters: 0, precropFrac: 0.5, seed: 1);
        var batch = new PixelIndex[6];
        for (int step = 0; step < 30; step++)
        {
            sampler.Next(step, batch);
            Assert.All(batch, p => Assert.True(p.X < sizes[p.Image].Item1 && p.Y < sizes[p.Image].Item2));
        }
    }
}
