using NerfSharp.Losses;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Losses;

/// <summary><see cref="RgbLoss"/>: hand-computed values, gradients by finite differences, the Huber kink, chunking.</summary>
public class RgbLossTests
{
    [Fact]
    public void MseGoldenValues()
    {
        // d = (0.5, -0.25, 0, 1): sum d^2 = 0.25 + 0.0625 + 0 + 1 = 1.3125, mean 0.328125; gradient 2 d / 4.
        var loss = new RgbLoss(RgbLossKind.Mse);
        var g = new float[4];
        double value = loss.Evaluate([1.0f, 0.25f, 0.5f, 1f], [0.5f, 0.5f, 0.5f, 0f], g);
        Assert.Equal(0.328125, value, 12);
        Assert.Equal([0.25f, -0.125f, 0f, 0.5f], g);
    }

    [Fact]
    public void HuberGoldenValues()
    {
        // delta = 0.5, d = (0.2, -0.4, 0.5, -1.5, 3):
        // 0.5 * 0.04 = 0.02; 0.5 * 0.16 = 0.08; |d| = delta is linear: 0.5 (0.5 - 0.25) = 0.125 (= 0.5 * 0.25, continuous);
        // 0.5 (1.5 - 0.25) = 0.625; 0.5 (3 - 0.25) = 1.375. Sum 2.225, mean 0.445.
        // Gradients: 0.2, -0.4, 0.5, -0.5, 0.5, each / 5.
        var loss = new RgbLoss(RgbLossKind.Huber, 0.5);
        var g = new float[5];
        double value = loss.Evaluate([0.2f, 0f, 0.75f, -1f, 3f], [0f, 0.4f, 0.25f, 0.5f, 0f], g);
        Assert.Equal(0.445, value, 7);
        float[] expected = [0.04f, -0.08f, 0.1f, -0.1f, 0.1f];
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(expected[i], g[i], 1e-7f);
        }
    }

    [Theory]
    [InlineData(RgbLossKind.Mse, 1.0)]
    [InlineData(RgbLossKind.Huber, 1.0)]
    [InlineData(RgbLossKind.Huber, 0.1)]
    public void GradientsPassTheFiniteDifferenceCheck(RgbLossKind kind, double delta)
    {
        var rng = new Random(7);
        const int n = 300;
        var prediction = new float[n];
        var target = new float[n];
        for (int i = 0; i < n; i++)
        {
            prediction[i] = (float)(rng.NextDouble() * 1.4) - 0.2f;
            target[i] = (float)rng.NextDouble();
        }

        var loss = new RgbLoss(kind, delta);
        var g = new float[n];
        loss.Evaluate(prediction, target, g, 17.0);

        // Probes stay 1e-4 away from the Huber kink |d| = delta (there the second derivative jumps; the first is continuous).
        GradientCheck.Check(
            prediction,
            () => loss.Evaluate(prediction, target, [], 17.0),
            g,
            probes: 100,
            eps: 1e-4,
            tolerance: 2e-3,
            floor: 1e-5,
            skip: i => Math.Abs(Math.Abs((double)prediction[i] - target[i]) - delta) < 1e-3);
    }

    [Fact]
    public void HuberIsContinuouslyDifferentiableAcrossTheKink()
    {
        // Values and derivatives on both sides of |d| = delta meet: L(delta -+ h) = delta^2/2 -+ delta h + O(h^2).
        var loss = new RgbLoss(RgbLossKind.Huber, 0.25);
        foreach (float sign in new[] { 1f, -1f })
        {
            var below = new float[1];
            var at = new float[1];
            var above = new float[1];
            double lBelow = loss.Evaluate([sign * 0.2499f], [0f], below, 1);
            double lAt = loss.Evaluate([sign * 0.25f], [0f], at, 1);
            double lAbove = loss.Evaluate([sign * 0.2501f], [0f], above, 1);
            Assert.Equal(0.03125, lAt, 12);
            Assert.Equal(sign * 0.25f, at[0]);
            Assert.Equal(sign * 0.2499f, below[0], 1e-7f);
            Assert.Equal(sign * 0.25f, above[0]);
            Assert.Equal(lAt - (0.25 * 1e-4), lBelow, 8);
            Assert.Equal(lAt + (0.25 * 1e-4), lAbove, 8);
        }
    }

    [Theory]
    [InlineData(RgbLossKind.Mse)]
    [InlineData(RgbLossKind.Huber)]
    public void ChunksAddUpToTheWholeBatch(RgbLossKind kind)
    {
        var rng = new Random(3);
        const int n = 101;
        float[] p = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 3) - 1).ToArray();
        float[] t = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var loss = new RgbLoss(kind, 0.3);
        var whole = new float[n];
        double total = loss.Evaluate(p, t, whole);
        var chunked = new float[n];
        double sum = loss.Evaluate(p.AsSpan(0, 40), t.AsSpan(0, 40), chunked.AsSpan(0, 40), n)
            + loss.Evaluate(p.AsSpan(40), t.AsSpan(40), chunked.AsSpan(40), n);
        Assert.Equal(total, sum, 12);
        Assert.Equal(whole, chunked);
        Assert.Equal(0.0, loss.Evaluate([], [], [], 1));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RgbLoss(RgbLossKind.Huber, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RgbLoss((RgbLossKind)7));
        var loss = new RgbLoss(RgbLossKind.Mse);
        Assert.Throws<ArgumentException>(() => loss.Evaluate([1f, 2f], [1f], []));
        Assert.Throws<ArgumentException>(() => loss.Evaluate([1f, 2f], [1f, 2f], new float[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.Evaluate([1f], [1f], [], 0));
    }
}
