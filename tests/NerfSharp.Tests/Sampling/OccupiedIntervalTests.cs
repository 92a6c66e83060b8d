using NerfSharp.Numerics;
using NerfSharp.Sampling;

namespace NerfSharp.Tests.Sampling;

public class OccupiedIntervalTests
{
    /// <summary>The reference: marching without jitter emits exactly the steps in occupied cells; the interval spans them.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void IntervalSpansExactlyTheSamplesOfNaiveMarching(int gridKind)
    {
        OccupancyGrid grid = gridKind == 0 ? RayMarcherTests.SphereGrid(32, 0.3f) : ScatteredGrid(24, new Rng(5));
        (float[] o, float[] d, float[] near, float[] far) = RayMarcherTests.RandomRays(3000, new Rng(13), unitDirections: false);
        var samples = new RaySamples(3000, 2_000_000);
        new RayMarcher().March(o, d, near, far, 3000, grid, grid.StepSize, null, samples);
        int hits = 0, misses = 0;
        for (int r = 0; r < 3000; r++)
        {
            bool found = OccupiedInterval.Find(grid, o.AsSpan(3 * r, 3), d.AsSpan(3 * r, 3), near[r], far[r], out float first, out float last);
            int count = samples.RayCount[r];
            Assert.Equal(count > 0, found);
            if (found)
            {
                int s0 = samples.RayStart[r], s1 = s0 + count - 1;
                Assert.Equal(samples.TStart[s0], first);
                Assert.Equal(samples.TEnd[s1], last, 1e-6f * MathF.Max(1f, MathF.Abs(last)));
                hits++;
            }
            else
            {
                misses++;
            }
        }

        Assert.True(hits > 300 && misses > 300, $"{hits} hits, {misses} misses: the rays should exercise both");
    }

    [Fact]
    public void RaysMissingTheBoxOrWithEmptyBoundsHaveNoInterval()
    {
        OccupancyGrid grid = RayMarcherTests.SphereGrid(16, 0.3f);
        Assert.False(OccupiedInterval.Find(grid, [2f, 2f, 2f], [1f, 0f, 0f], 0f, 10f, out _, out _));
        Assert.False(OccupiedInterval.Find(grid, [-1f, 0f, 0f], [1f, 0f, 0f], 0f, 0.4f, out _, out _));
        Assert.True(OccupiedInterval.Find(grid, [-1f, 0f, 0f], [1f, 0f, 0f], 0f, 10f, out float first, out float last));
        Assert.InRange(first, 0.55f, 0.8f); // the sphere of radius 0.3 about the centre, at 1/16 cells
        Assert.InRange(last, 1.2f, 1.45f);
    }

    /// <summary>A grid with scattered occupied cells (gaps along rays, mip blocks of all sizes).</summary>
    private static OccupancyGrid ScatteredGrid(int resolution, Rng rng)
    {
        var grid = new OccupancyGrid(SceneBox.Cube(0.5f), new OccupancyGridConfig { Resolution = resolution });
        var values = new float[grid.CellCount];
        for (int c = 0; c < values.Length; c++)
        {
            values[c] = rng.NextFloat() < 0.01f ? 1f : 0f;
        }

        grid.RestoreState(values);
        return grid;
    }
}
