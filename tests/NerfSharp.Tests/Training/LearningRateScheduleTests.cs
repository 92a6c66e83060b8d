using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 5e-4)]
    [InlineData(250_000, 1.5811388300841897e-4)] // 5e-4 * 0.1^0.5
    [InlineData(500_000, 5e-5)]
    [InlineData(1_000_000, 5e-6)]
    [InlineData(123_456, 2.8317701815409245e-4)] // 5e-4 * 0.1^(123456 / 500000)
    public void MatchesNerfPytorchDecay(long step, double expected)
    {
        // lego: lrate = 5e-4, lrate_decay = 500 -> decay_steps = 500 * 1000.
        Assert.Equal(expected, LearningRateSchedule.ExponentialDecay(5e-4, step, 500 * 1000), 1e-15);
    }

    [Fact]
    public void CustomRate()
    {
        Assert.Equal(1.0 * Math.Pow(0.5, 2), LearningRateSchedule.ExponentialDecay(1.0, 200, 100, rate: 0.5), 1e-15);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ExponentialDecay(1.0, 1, 0));
    }
}
