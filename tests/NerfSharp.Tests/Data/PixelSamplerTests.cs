using NerfSharp.Data;
using NerfSharp.Training;

namespace NerfSharp.Tests.Data;

public sealed class PixelSamplerTests
{
    [Fact]
    public void BatchingVisitsEveryPixelOncePerEpoch()
    {
        var sampler = new PixelSampler(3, 5, 4, batching: true, 0, 0.5, seed: 1);
        var seen = new HashSet<(int, int, int)>();
        var batch = new PixelIndex[6];
        for (int i = 0; i < 10; i++)
        {
            sampler.Next(i, batch);
            foreach (var p in batch)
            {
                Assert.InRange(p.X, 0, 4);
                Assert.InRange(p.Y, 0, 3);
                Assert.True(seen.Add((p.Image, p.X, p.Y)), $"pixel {p} drawn twice in one epoch");
            }
        }

        Assert.Equal(60, seen.Count);
    }

    [Fact]
    public void PrecropDrawsDistinctPixelsFromTheCentreThenTheWholeImage()
    {
        var sampler = new PixelSampler(2, 40, 20, batching: false, precropIters: 5, precropFrac: 0.5, seed: 3);
        var batch = new PixelIndex[100];
        sampler.Next(0, batch);
        Assert.Equal(100, batch.Distinct().Count());
        Assert.All(batch, p =>
        {
            Assert.InRange(p.X, 10, 29);
            Assert.InRange(p.Y, 5, 14);
        });
        Assert.Single(batch.Select(p => p.Image).Distinct());
        bool outside = false;
        for (int s = 5; s < 10; s++)
        {
            sampler.Next(s, batch);
            outside |= batch.Any(p => p.X < 10 || p.X > 29 || p.Y < 5 || p.Y > 14);
        }

        Assert.True(outside, "after precrop_iters pixels must come from the whole image");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RestoredStateContinuesTheSameSequence(bool batching)
    {
        var a = new PixelSampler(4, 16, 16, batching, 2, 0.5, seed: 9);
        var batch = new PixelIndex[50];
        for (int i = 0; i < 7; i++)
        {
            a.Next(i, batch);
        }

        PixelSamplerState state = a.State;
        var b = new PixelSampler(4, 16, 16, batching, 2, 0.5, seed: 9);
        b.Restore(state);
        var fromA = new PixelIndex[50];
        var fromB = new PixelIndex[50];
        for (int i = 7; i < 20; i++)
        {
            a.Next(i, fromA);
            b.Next(i, fromB);
            Assert.Equal(fromA, fromB);
        }
    }

    [Fact]
    public void TooManyRaysForOneImageIsAClearError()
    {
        var sampler = new PixelSampler(1, 4, 4, batching: false, 0, 0.5, seed: 0);
        var e = Assert.Throws<InvalidOperationException>(() => sampler.Next(0, new PixelIndex[17]));
        Assert.Contains("N_rand", e.Message);
    }
}
