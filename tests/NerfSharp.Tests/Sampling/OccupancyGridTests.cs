using NerfSharp.Numerics;
using NerfSharp.Sampling;

namespace NerfSharp.Tests.Sampling;

public class OccupancyGridTests
{
    private const float Radius = 0.3f;

    private static readonly SceneBox UnitBox = SceneBox.Cube(0.5f);

    [Fact]
    public void WarmupUpdateMarksTheCellsAroundTheSphereAndNotTheCorners()
    {
        var grid = new OccupancyGrid(UnitBox, new OccupancyGridConfig { Resolution = 64 });
        var field = new SphereDensityField(0, 0, 0, Radius, 100);
        grid.Update(0, field, new Rng(1));

        int res = grid.Resolution;
        float cell = 1.0f / res;
        for (int k = 0; k < res; k++)
        {
            for (int j = 0; j < res; j++)
            {
                for (int i = 0; i < res; i++)
                {
                    // Nearest and farthest distances from the centre to the cell's cube.
                    (double near, double far) = CellDistances(i, j, k, cell);
                    int index = i + (res * (j + (res * k)));
                    if (far < Radius)
                    {
                        Assert.True(grid.IsCellOccupied(index), $"cell ({i},{j},{k}) lies inside the sphere");
                    }
                    else if (near > Radius)
                    {
                        Assert.False(grid.IsCellOccupied(index), $"cell ({i},{j},{k}) lies outside the sphere");
                    }
                }
            }
        }

        Assert.False(grid.IsOccupied(-0.49f, -0.49f, -0.49f));
        Assert.False(grid.IsOccupied(0.49f, 0.49f, 0.49f));
        Assert.True(grid.IsOccupied(0.01f, -0.02f, 0.05f));
        Assert.False(grid.IsOccupied(0.6f, 0, 0)); // outside the box
        double sphereFraction = 4.0 / 3.0 * Math.PI * Radius * Radius * Radius;
        Assert.InRange(grid.OccupiedFraction, sphereFraction * 0.95, sphereFraction * 1.25);
    }

    [Fact]
    public void ValuesHoldDensityTimesStepSizeAndThresholdIsCappedByTheConfig()
    {
        var grid = new OccupancyGrid(UnitBox, new OccupancyGridConfig { Resolution = 32 });
        Assert.Equal(MathF.Sqrt(3) / 1024, grid.StepSize, 6);
        grid.Update(0, new SphereDensityField(0, 0, 0, Radius, 100), new Rng(2));
        int centre = grid.CellOf(0.01f, 0.01f, 0.01f);
        Assert.Equal(100 * grid.StepSize, grid.Values[centre]);
        Assert.Equal(0, grid.Values[0]);

        // mean = occupied fraction * 0.169 is above 0.01, so the configured threshold applies.
        Assert.Equal(0.01f, grid.Threshold);

        // A faint sphere: the mean drops below 0.01 and becomes the threshold.
        var faint = new OccupancyGrid(UnitBox, new OccupancyGridConfig { Resolution = 32 });
        faint.Update(0, new SphereDensityField(0, 0, 0, Radius, 1), new Rng(2));
        double mean = faint.Values.Average(v => (double)v);
        Assert.Equal((float)mean, faint.Threshold, 6);
        Assert.True(faint.IsOccupied(0, 0, 0));
    }

    [Fact]
    public void UpdatesOnlyOnMultiplesOfUpdateEveryAndInBoundedBatches()
    {
        var grid = new OccupancyGrid(UnitBox, new OccupancyGridConfig { Resolution = 32, QueryBatch = 1000 });
        var field = new SphereDensityField(0, 0, 0, Radius, 100);
        grid.Update(5, field, new Rng(3));
        Assert.Equal(0, field.Calls);
        Assert.All(grid.Values, v => Assert.Equal(0, v));
        Assert.Equal(0, grid.OccupiedCount);

        grid.Update(32, field, new Rng(3));
        Assert.Equal((32 * 32 * 32 + 999) / 1000, field.Calls);
        Assert.Equal(1000, field.LargestBatch);
    }

    [Fact]
    public void ReEvaluatedCellsDecayByTheEmaFactor()
    {
        var config = new OccupancyGridConfig { Resolution = 16 };
        var grid = new OccupancyGrid(UnitBox, config);
        var field = new SphereDensityField(0, 0, 0, Radius, 100);
        grid.Update(0, field, new Rng(4));
        float[] before = (float[])grid.Values.Clone();

        // Warm-up: every cell is re-evaluated; with the density gone each decays once.
        field.Density = 0;
        grid.Update(16, field, new Rng(5));
        for (int c = 0; c < before.Length; c++)
        {
            Assert.Equal(before[c] * config.EmaDecay, grid.Values[c]);
        }
    }

    [Fact]
    public void AfterWarmupAQuarterOfTheCellsPlusTheOccupiedOnesAreUpdatedDeterministically()
    {
        var config = new OccupancyGridConfig { Resolution = 32 };
        var a = new OccupancyGrid(UnitBox, config);
        var b = new OccupancyGrid(UnitBox, config);
        var field = new SphereDensityField(0, 0, 0, Radius, 100);
        a.Update(0, field, new Rng(6));
        b.Update(0, field, new Rng(6));
        float[] before = (float[])a.Values.Clone();
        int occupied = a.OccupiedCount;

        field.Density = 0;
        a.Update(256, field, new Rng(7));
        b.Update(256, field, new Rng(7));
        Assert.Equal(a.Values, b.Values);

        int changed = 0, decayedOccupied = 0;
        for (int c = 0; c < before.Length; c++)
        {
            if (a.Values[c] != before[c])
            {
                Assert.Equal(before[c] * config.EmaDecay, a.Values[c]);
                changed++;
            }

            if (before[c] > 0)
            {
                // Occupied cells (fewer than a quarter of the grid) are all re-evaluated.
                Assert.Equal(before[c] * config.EmaDecay, a.Values[c]);
                decayedOccupied++;
            }
        }

        Assert.True(occupied < a.CellCount / 4);
        Assert.Equal(occupied, decayedOccupied);
        Assert.True(changed <= occupied + (a.CellCount / 4));
    }

    [Fact]
    public void RestoreStateRebuildsTheSameOccupancy()
    {
        var config = new OccupancyGridConfig { Resolution = 32 };
        var grid = new OccupancyGrid(UnitBox, config);
        grid.Update(0, new SphereDensityField(0.1f, 0, -0.05f, 0.2f, 30), new Rng(8));
        var restored = new OccupancyGrid(UnitBox, config);
        restored.RestoreState(grid.Values);

        Assert.Equal(grid.Values, restored.Values);
        Assert.Equal(grid.Threshold, restored.Threshold);
        Assert.Equal(grid.OccupiedCount, restored.OccupiedCount);
        for (int c = 0; c < grid.CellCount; c++)
        {
            Assert.Equal(grid.IsCellOccupied(c), restored.IsCellOccupied(c));
        }

        Assert.Throws<ArgumentException>(() => restored.RestoreState(new float[10]));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(37)]
    public void CoarseLevelsMarkABlockWhenAnyOfItsCellsIsOccupied(int resolution)
    {
        var grid = new OccupancyGrid(UnitBox, new OccupancyGridConfig { Resolution = resolution });
        var rng = new Rng(9);
        var values = new float[grid.CellCount];
        for (int c = 0; c < values.Length; c++)
        {
            values[c] = rng.NextDouble() < 0.002 ? 1 : 0;
        }

        grid.RestoreState(values);
        int levels = grid.MipBits.Length;
        Assert.Equal(1, grid.MipResolution[levels - 1]);
        for (int level = 1; level < levels; level++)
        {
            int rc = grid.MipResolution[level];
            Assert.Equal((resolution + (1 << level) - 1) >> level, rc);
            var expected = new bool[rc * rc * rc];
            for (int c = 0; c < grid.CellCount; c++)
            {
                if (grid.IsCellOccupied(c))
                {
                    int i = c % resolution, j = c / resolution % resolution, k = c / resolution / resolution;
                    expected[(i >> level) + (rc * ((j >> level) + (rc * (k >> level))))] = true;
                }
            }

            for (int c = 0; c < expected.Length; c++)
            {
                Assert.Equal(expected[c], (grid.MipBits[level][c >> 6] & (1UL << (c & 63))) != 0);
            }
        }
    }

    [Fact]
    public void SceneBoxMapsToTheUnitCubeAndIntersectsRays()
    {
        var box = new SceneBox(-1, 0, 2, 1, 4, 3);
        Assert.Equal((0.5f, 0.25f, 0.0f), box.ToUnit(0, 1, 2));
        Assert.Equal((0.0f, 1.0f, 2.0f), box.FromUnit(0.5f, 0.25f, 0.0f));
        Assert.True(box.Intersect(-3, 1, 2.5f, 2, 0, 0, out float t0, out float t1));
        Assert.Equal(1, t0);
        Assert.Equal(2, t1);
        Assert.False(box.Intersect(-3, 5, 2.5f, 1, 0, 0, out _, out _));
        Assert.False(box.Intersect(0, 1, 2.5f, 0, 0, 0, out _, out _));
        Assert.Throws<ArgumentException>(() => new SceneBox(0, 0, 0, 1, 0, 1));
    }

    private static (double Near, double Far) CellDistances(int i, int j, int k, float cell)
    {
        double nearSq = 0, farSq = 0;
        foreach ((int index, double min) in new[] { (i, -0.5), (j, -0.5), (k, -0.5) })
        {
            double lo = min + (index * cell), hi = lo + cell;
            double nearest = Math.Clamp(0, lo, hi);
            double farthest = Math.Max(Math.Abs(lo), Math.Abs(hi));
            nearSq += nearest * nearest;
            farSq += farthest * farthest;
        }

        return (Math.Sqrt(nearSq), Math.Sqrt(farSq));
    }
}
