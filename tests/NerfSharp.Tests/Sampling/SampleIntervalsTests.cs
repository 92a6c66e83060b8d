using NerfSharp.Sampling;

namespace NerfSharp.Tests.Sampling;

public class SampleIntervalsTests
{
    [Fact]
    public void DeltasAreScaledGapsWithAHugeLastInterval()
    {
        // Ray 0: three samples; ray 1: none; ray 2: one sample (only the last interval).
        int[] start = [0, 3, 3];
        int[] count = [3, 0, 1];
        float[] z = [2f, 2.5f, 4f, 7f];
        float[] norms = [2f, 5f, 0.5f];
        var delta = new float[4];
        SampleIntervals.FromZVals(start, count, z, norms, delta);
        Assert.Equal([1f, 3f, 2e10f, 5e9f], delta);
    }

    [Fact]
    public void RejectsRangesOutsideTheBuffers()
    {
        Assert.Throws<ArgumentException>(() => SampleIntervals.FromZVals([0], [4], new float[3], [1f], new float[4]));
        Assert.Throws<ArgumentException>(() => SampleIntervals.FromZVals([0, 1], [1], new float[3], [1f, 1f], new float[4]));
    }
}
