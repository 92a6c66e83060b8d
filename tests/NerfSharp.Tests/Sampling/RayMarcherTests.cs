using System.Diagnostics;
using NerfSharp.Diagnostics;
using NerfSharp.Numerics;
using NerfSharp.Sampling;
using Xunit.Abstractions;

namespace NerfSharp.Tests.Sampling;

public class RayMarcherTests(ITestOutputHelper output)
{
    private const float Radius = 0.3f;

    private static readonly SceneBox UnitBox = SceneBox.Cube(0.5f);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SamplesLieInOccupiedCellsInsideTheBoundsOnTheStepLattice(bool jittered)
    {
        OccupancyGrid grid = SphereGrid(64, Radius);
        (float[] o, float[] d, float[] near, float[] far) = RandomRays(500, new Rng(11), unitDirections: false);
        var samples = new RaySamples(500, 200_000);
        var marcher = new RayMarcher();
        Assert.Equal(500, marcher.March(o, d, near, far, 500, grid, grid.StepSize, jittered ? new Rng(26) : null, samples));
        samples.Validate();
        Assert.True(samples.Samples > 1000);

        for (int r = 0; r < samples.Rays; r++)
        {
            float norm = Norm(d, r);
            float dt = grid.StepSize / norm;
            Assert.True(UnitBox.Intersect(o[3 * r], o[(3 * r) + 1], o[(3 * r) + 2], d[3 * r], d[(3 * r) + 1], d[(3 * r) + 2], out float tIn, out float tOut) || samples.RayCount[r] == 0);
            int start = samples.RayStart[r];
            for (int s = start; s < start + samples.RayCount[r]; s++)
            {
                Assert.True(samples.TStart[s] >= MathF.Max(near[r], tIn), $"sample {s} starts before the ray's start");
                Assert.True(samples.TEnd[s] <= MathF.Min(far[r], tOut), $"sample {s} ends after the ray's end");
                Assert.Equal(dt, samples.TEnd[s] - samples.TStart[s], dt * 1e-3f);
                float m = samples.TMid(s);
                Assert.True(grid.IsOccupied(o[3 * r] + (m * d[3 * r]), o[(3 * r) + 1] + (m * d[(3 * r) + 1]), o[(3 * r) + 2] + (m * d[(3 * r) + 2])));
                if (s > start)
                {
                    // Later samples sit a whole number of steps after earlier ones: back to back inside occupied runs.
                    float steps = (samples.TStart[s] - samples.TEnd[s - 1]) / dt;
                    Assert.Equal(MathF.Round(steps), steps, 2e-2f);
                    Assert.True(steps > -0.5f);
                }
            }
        }
    }

    [Fact]
    public void ARayMissingTheSphereGetsNoSamples()
    {
        OccupancyGrid grid = SphereGrid(64, Radius);
        var samples = new RaySamples(3, 10_000);
        float[] o = [-1, 0.4f, 0, -1, 0, 2, 0, 0, 0];
        float[] d = [1, 0, 0, 1, 0, 0, 0, 0, 1];
        new RayMarcher().March(o, d, [0, 0, 0], [10, 10, 10], 3, grid, grid.StepSize, null, samples);
        Assert.Equal(0, samples.RayCount[0]); // passes the sphere at distance 0.4
        Assert.Equal(0, samples.RayCount[1]); // misses the box
        Assert.True(samples.RayCount[2] > 0); // starts at the centre
    }

    [Fact]
    public void ARayThroughTheCentreGetsTheExpectedCount()
    {
        // Occupancy set by hand: a cell is occupied when its centre lies in the sphere.
        const int res = 64;
        var grid = new OccupancyGrid(UnitBox, new OccupancyGridConfig { Resolution = res });
        var values = new float[res * res * res];
        double cell = 1.0 / res;
        double lo = double.MaxValue, hi = double.MinValue;
        for (int k = 0; k < res; k++)
        {
            for (int j = 0; j < res; j++)
            {
                for (int i = 0; i < res; i++)
                {
                    double x = -0.5 + ((i + 0.5) * cell), y = -0.5 + ((j + 0.5) * cell), z = -0.5 + ((k + 0.5) * cell);
                    if ((x * x) + (y * y) + (z * z) < Radius * Radius)
                    {
                        values[i + (res * (j + (res * k)))] = 1;
                        if (j == res / 2 && k == res / 2)
                        {
                            lo = Math.Min(lo, x - (cell / 2));
                            hi = Math.Max(hi, x + (cell / 2));
                        }
                    }
                }
            }
        }

        grid.RestoreState(values);

        // Along x just above the centre line (in cell row j = k = res/2), starting 1 before the box: the lattice is
        // anchored at the box entry t = 0.5, so midpoint m_k = -0.5 + (k + 1/2) dt; count those in [lo, hi).
        float step = grid.StepSize;
        double first = Math.Ceiling(((lo + 0.5) / step) - 0.5), last = Math.Ceiling(((hi + 0.5) / step) - 0.5);
        int expected = (int)(last - first);
        var samples = new RaySamples(1, 10_000);
        new RayMarcher().March([-1, 0.001f, 0.002f], [1, 0, 0], [0], [100], 1, grid, step, null, samples);
        Assert.Equal(expected, samples.Samples);
        Assert.Equal(0.5f + ((float)first * step), samples.TStart[0], 1e-5f);
        output.WriteLine($"centre ray: {expected} samples over [{lo}, {hi}) with step {step}");
    }

    [Fact]
    public void SkippingEmptyCellsGivesExactlyTheSamplesOfNaiveMarching()
    {
        OccupancyGrid grid = SphereGrid(32, Radius);
        var rng = new Rng(12);
        (float[] o, float[] d, float[] near, float[] far) = RandomRays(2000, rng, unitDirections: false);

        // Some axis-aligned and axis-parallel rays, and rays starting inside the box.
        for (int r = 0; r < 60; r++)
        {
            d[(3 * r) + (r % 3)] = 0;
            d[(3 * r) + ((r + 1) % 3)] = r % 2 == 0 ? 0 : d[(3 * r) + ((r + 1) % 3)];
            if (d[3 * r] == 0 && d[(3 * r) + 1] == 0 && d[(3 * r) + 2] == 0)
            {
                d[(3 * r) + 2] = -0.7f;
            }

            o[3 * r] = (rng.NextFloat() - 0.5f) * 0.9f;
            o[(3 * r) + 1] = (rng.NextFloat() - 0.5f) * 0.9f;
            o[(3 * r) + 2] = (rng.NextFloat() - 0.5f) * 0.9f;
            near[r] = 0;
        }

        var offsets = new float[2000];
        var jitter = new Rng(13);
        for (int r = 0; r < 2000; r++)
        {
            offsets[r] = jitter.NextFloat();
        }

        var samples = new RaySamples(2000, 1_000_000);
        new RayMarcher().March(o, d, near, far, 2000, grid, grid.StepSize, new Rng(13), samples);
        var view = new RayMarcher.GridView(grid);
        var ts = new float[4096];
        var te = new float[4096];
        var ri = new int[4096];
        long total = 0;
        for (int r = 0; r < 2000; r++)
        {
            var lattice = new RayMarcher.RayLattice(in UnitBox, o.AsSpan(3 * r, 3), d.AsSpan(3 * r, 3), near[r], far[r], offsets[r], grid.StepSize);
            int n = RayMarcher.MarchRay(in view, in lattice, int.MaxValue, false, ts, te, ri, 0, r, out _);
            Assert.Equal(n, samples.RayCount[r]);
            Assert.Equal(ts.AsSpan(0, n), samples.TStart.AsSpan(samples.RayStart[r], n));
            Assert.Equal(te.AsSpan(0, n), samples.TEnd.AsSpan(samples.RayStart[r], n));
            total += n;
        }

        Assert.True(total > 10_000);
    }

    [Theory]
    [InlineData(37, 0.02, 1)]
    [InlineData(64, 0.3, 2)]
    [InlineData(16, 0.9, 3)]
    public void SkippingEqualsNaiveMarchingOnScatteredOccupancyInABox(int resolution, double fill, int seed)
    {
        // A non-cubic box away from the origin, random cells occupied, rays from far away and from inside.
        var box = new SceneBox(1.0f, -2.0f, 0.5f, 1.7f, -1.1f, 0.9f);
        var grid = new OccupancyGrid(box, new OccupancyGridConfig { Resolution = resolution });
        var rng = new Rng((ulong)seed);
        var values = new float[grid.CellCount];
        for (int c = 0; c < values.Length; c++)
        {
            values[c] = rng.NextDouble() < fill ? 1 : 0;
        }

        grid.RestoreState(values);
        const int rays = 1500;
        var o = new float[3 * rays];
        var d = new float[3 * rays];
        var near = new float[rays];
        var far = new float[rays];
        for (int r = 0; r < rays; r++)
        {
            float distance = r % 3 == 0 ? 0 : r % 3 == 1 ? 2 : 40;
            (float cx, float cy, float cz) = box.FromUnit(rng.NextFloat(), rng.NextFloat(), rng.NextFloat());
            (float tx, float ty, float tz) = box.FromUnit(rng.NextFloat(), rng.NextFloat(), rng.NextFloat());
            float gx = rng.NextGaussian(), gy = rng.NextGaussian(), gz = rng.NextGaussian();
            o[3 * r] = cx + (distance * gx);
            o[(3 * r) + 1] = cy + (distance * gy);
            o[(3 * r) + 2] = cz + (distance * gz);
            d[3 * r] = r % 7 == 0 ? 0 : tx - o[3 * r];
            d[(3 * r) + 1] = r % 11 == 0 ? 0 : ty - o[(3 * r) + 1];
            d[(3 * r) + 2] = tz - o[(3 * r) + 2];
            near[r] = r % 5 == 0 ? 0.3f : 0;
            far[r] = r % 4 == 0 ? 1.01f : 1e6f;
        }

        float step = grid.StepSize * (seed == 3 ? 0.37f : 1);
        var samples = new RaySamples(rays, 4_000_000);
        new RayMarcher().March(o, d, near, far, rays, grid, step, null, samples);
        var view = new RayMarcher.GridView(grid);
        var ts = new float[1 << 16];
        var te = new float[1 << 16];
        var ri = new int[1 << 16];
        long total = 0;
        for (int r = 0; r < rays; r++)
        {
            var lattice = new RayMarcher.RayLattice(in box, o.AsSpan(3 * r, 3), d.AsSpan(3 * r, 3), near[r], far[r], 0, step);
            int n = RayMarcher.MarchRay(in view, in lattice, int.MaxValue, false, ts, te, ri, 0, r, out _);
            Assert.Equal(n, samples.RayCount[r]);
            Assert.Equal(ts.AsSpan(0, n), samples.TStart.AsSpan(samples.RayStart[r], n));
            Assert.Equal(te.AsSpan(0, n), samples.TEnd.AsSpan(samples.RayStart[r], n));
            total += n;
        }

        output.WriteLine($"{total} samples, {grid.OccupiedFraction:P1} occupied");
        Assert.True(total > 1000);
    }

    [Fact]
    public void JitteredMarchingIsDeterministicGivenTheSeed()
    {
        OccupancyGrid grid = SphereGrid(32, Radius);
        (float[] o, float[] d, float[] near, float[] far) = RandomRays(300, new Rng(14), unitDirections: true);
        var a = new RaySamples(300, 200_000);
        var b = new RaySamples(300, 200_000);
        var c = new RaySamples(300, 200_000);
        var marcher = new RayMarcher();
        marcher.March(o, d, near, far, 300, grid, grid.StepSize, new Rng(15), a);
        marcher.March(o, d, near, far, 300, grid, grid.StepSize, new Rng(15), b);
        marcher.March(o, d, near, far, 300, grid, grid.StepSize, new Rng(16), c);
        AssertSame(a, b);
        Assert.NotEqual(a.TStart.AsSpan(0, a.Samples).ToArray(), c.TStart.AsSpan(0, c.Samples).ToArray());
    }

    [Fact]
    public void OutputDoesNotDependOnTheThreadCount()
    {
        OccupancyGrid grid = SphereGrid(32, Radius);
        (float[] o, float[] d, float[] near, float[] far) = RandomRays(1000, new Rng(17), unitDirections: false);
        var one = new RaySamples(1000, 500_000);
        var two = new RaySamples(1000, 500_000);
        var three = new RaySamples(1000, 500_000);
        new RayMarcher(1).March(o, d, near, far, 1000, grid, grid.StepSize, new Rng(18), one);
        new RayMarcher(2).March(o, d, near, far, 1000, grid, grid.StepSize, new Rng(18), two);
        new RayMarcher(3).March(o, d, near, far, 1000, grid, grid.StepSize, new Rng(18), three);
        AssertSame(one, two);
        AssertSame(one, three);
    }

    [Fact]
    public void MarchingAndGridUpdatesAllocateNothingOnceWarm()
    {
        var grid = new OccupancyGrid(UnitBox, new OccupancyGridConfig { Resolution = 32, WarmupSteps = 16, QueryBatch = 4096 });
        var field = new SphereDensityField(0, 0, 0, Radius, 100);
        var rng = new Rng(23);
        grid.Update(0, field, rng);
        grid.Update(16, field, rng);
        (float[] o, float[] d, float[] near, float[] far) = RandomRays(300, new Rng(24), unitDirections: true);
        var samples = new RaySamples(300, 200_000);
        var tNext = new float[300];
        var marcher = new RayMarcher(1);
        var jitter = new Rng(25);
        marcher.March(o, d, near, far, 300, grid, grid.StepSize, jitter, samples);
        marcher.March(o, d, near, far, 300, grid, grid.StepSize, 4, samples, tNext);

        long before = GC.GetAllocatedBytesForCurrentThread();
        grid.Update(32, field, rng);
        marcher.March(o, d, near, far, 300, grid, grid.StepSize, jitter, samples);
        marcher.March(o, d, near, far, 300, grid, grid.StepSize, 4, samples, tNext);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MarchingStopsCleanlyAtTheSampleCapacity()
    {
        OccupancyGrid grid = SphereGrid(32, Radius);
        (float[] o, float[] d, float[] near, float[] far) = RandomRays(200, new Rng(19), unitDirections: true);
        var full = new RaySamples(200, 200_000);
        var marcher = new RayMarcher();
        Assert.Equal(200, marcher.March(o, d, near, far, 200, grid, grid.StepSize, null, full));

        int capacity = full.Samples / 2;
        int fits = 0;
        while (full.RayStart[fits] + full.RayCount[fits] <= capacity)
        {
            fits++;
        }

        var cut = new RaySamples(200, capacity);
        Assert.Equal(fits, marcher.March(o, d, near, far, 200, grid, grid.StepSize, null, cut));
        Assert.Equal(fits, cut.Rays);
        cut.Validate();
        Assert.Equal(full.RayStart[fits], cut.Samples);
        Assert.Equal(full.TStart.AsSpan(0, cut.Samples), cut.TStart.AsSpan(0, cut.Samples));
    }

    [Fact]
    public void IncrementalMarchingResumesWhereItStopped()
    {
        OccupancyGrid grid = SphereGrid(32, Radius);
        const int rays = 100;
        (float[] o, float[] d, float[] near, float[] far) = RandomRays(rays, new Rng(20), unitDirections: true);
        var full = new RaySamples(rays, 200_000);
        var marcher = new RayMarcher();
        marcher.March(o, d, near, far, rays, grid, grid.StepSize, null, full);

        var collected = new List<float>[rays];
        for (int r = 0; r < rays; r++)
        {
            collected[r] = [];
        }

        float[] t = (float[])near.Clone();
        var tNext = new float[rays];
        var part = new RaySamples(rays, rays * 7);
        for (int round = 0; round < 1000 && t.Any(float.IsFinite); round++)
        {
            Assert.Equal(rays, marcher.March(o, d, t, far, rays, grid, grid.StepSize, 7, part, tNext));
            for (int r = 0; r < rays; r++)
            {
                Assert.True(part.RayCount[r] <= 7);
                Assert.True(float.IsFinite(tNext[r]) == (part.RayCount[r] == 7));
                for (int s = part.RayStart[r]; s < part.RayStart[r] + part.RayCount[r]; s++)
                {
                    collected[r].Add(part.TStart[s]);
                }

                t[r] = float.IsFinite(t[r]) ? tNext[r] : t[r];
            }
        }

        for (int r = 0; r < rays; r++)
        {
            // Each resume re-anchors the lattice at the end of the last sample: equal up to rounding.
            Assert.Equal(full.RayCount[r], collected[r].Count);
            for (int s = 0; s < collected[r].Count; s++)
            {
                Assert.Equal(full.TStart[full.RayStart[r] + s], collected[r][s], 1e-4f);
            }
        }
    }

    [Fact]
    public void VisibilityStopsBehindTheOpaqueSphere()
    {
        // The density sphere is smaller than the occupied region, so occupied cells hold empty samples in front of it.
        OccupancyGrid grid = SphereGrid(64, Radius);
        var field = new SphereDensityField(0, 0, 0, Radius - 0.03f, 100);
        var samples = new RaySamples(2, 10_000);
        float[] o = [-1, 0.01f, 0.02f, 0, -2, 0];
        float[] d = [2, 0, 0, 0, 1, 0];
        new RayMarcher().March(o, d, [0, 0], [100, 100], 2, grid, grid.StepSize, null, samples);
        var density = new float[samples.Samples];
        var pos = new float[3 * samples.Samples];
        for (int s = 0; s < samples.Samples; s++)
        {
            int r = samples.RayIndex[s];
            float m = samples.TMid(s);
            for (int a = 0; a < 3; a++)
            {
                pos[(3 * s) + a] = o[(3 * r) + a] + (m * d[(3 * r) + a]);
            }
        }

        field.QueryDensity(pos, samples.Samples, density);
        var keep = new bool[samples.Samples];
        int kept = SampleVisibility.Compute(samples, density, [2, 1], SampleVisibility.DefaultEarlyStopEps, 0, keep);
        Assert.True(kept < samples.Samples);

        for (int r = 0; r < 2; r++)
        {
            // Kept samples are a prefix; the optical depth before the last kept one is below ln(1e4), before the first dropped not.
            int start = samples.RayStart[r], n = samples.RayCount[r];
            int prefix = 0;
            while (prefix < n && keep[start + prefix])
            {
                prefix++;
            }

            Assert.All(keep.AsSpan(start + prefix, n - prefix).ToArray(), Assert.False);
            double depth = 0;
            for (int s = start; s < start + prefix - 1; s++)
            {
                depth += density[s] * grid.StepSize;
            }

            Assert.True(depth < Math.Log(1e4));
            depth += density[start + prefix - 1] * grid.StepSize;
            Assert.True(depth >= Math.Log(1e4) * 0.9999);
            float lastKept = samples.TEnd[start + prefix - 1];
            Assert.True(lastKept < samples.TEnd[start + n - 1]);
            float toCentre = MathF.Abs((o[3 * r] * d[3 * r]) + (o[(3 * r) + 1] * d[(3 * r) + 1]) + (o[(3 * r) + 2] * d[(3 * r) + 2])) / Norm(d, r);
            output.WriteLine($"ray {r}: {n} samples, {prefix} kept; the last kept ends {(lastKept * Norm(d, r)) - (toCentre - Radius + 0.03f):F4} world units past the sphere's surface");
        }

        // An alpha threshold also drops the empty samples in front of the sphere (occupied cells, density 0).
        var keepAlpha = new bool[samples.Samples];
        int keptAlpha = SampleVisibility.Compute(samples, density, [2, 1], SampleVisibility.DefaultEarlyStopEps, 0.01f, keepAlpha);
        Assert.True(keptAlpha < kept);
        for (int s = 0; s < samples.Samples; s++)
        {
            Assert.Equal(keep[s] && density[s] > 0, keepAlpha[s]);
        }

        var compact = new RaySamples(2, kept);
        var from = new int[kept];
        SampleVisibility.Compact(samples, keep, compact, from);
        compact.Validate();
        Assert.Equal(kept, compact.Samples);
        for (int s = 0; s < compact.Samples; s++)
        {
            Assert.True(keep[from[s]]);
            Assert.Equal(samples.TStart[from[s]], compact.TStart[s]);
            Assert.Equal(samples.RayIndex[from[s]], compact.RayIndex[s]);
            Assert.True(s == 0 || from[s] > from[s - 1]);
        }
    }

    [Fact]
    public void MarchingThroughput()
    {
        // 2^16 rays from a sphere of cameras around a 128^3 grid with ~5% of its cells occupied.
        double r5 = Math.Cbrt(0.05 * 3 / (4 * Math.PI));
        OccupancyGrid grid = SphereGrid(128, (float)r5);
        const int rays = 1 << 16;
        var rng = new Rng(21);
        var o = new float[3 * rays];
        var d = new float[3 * rays];
        for (int r = 0; r < rays; r++)
        {
            float gx = rng.NextGaussian(), gy = rng.NextGaussian(), gz = rng.NextGaussian();
            float n = MathF.Sqrt((gx * gx) + (gy * gy) + (gz * gz));
            o[3 * r] = 1.5f * gx / n;
            o[(3 * r) + 1] = 1.5f * gy / n;
            o[(3 * r) + 2] = 1.5f * gz / n;
            for (int a = 0; a < 3; a++)
            {
                d[(3 * r) + a] = (rng.NextFloat() - 0.5f) - o[(3 * r) + a]; // towards a random point of the box
            }
        }

        var near = new float[rays];
        var far = Enumerable.Repeat(100f, rays).ToArray();
        var samples = new RaySamples(rays, rays * 512);
        var marcher = new RayMarcher();
        marcher.March(o, d, near, far, rays, grid, grid.StepSize, new Rng(22), samples);
        var clock = Stopwatch.StartNew();
        double cpu0 = CpuTime.Process();
        int reps = 0;
        while (clock.Elapsed.TotalSeconds < 1.0 || reps < 3)
        {
            marcher.March(o, d, near, far, rays, grid, grid.StepSize, new Rng(22), samples);
            reps++;
        }

        double seconds = clock.Elapsed.TotalSeconds / reps;
        double cpuSeconds = (CpuTime.Process() - cpu0) / reps;
        output.WriteLine(
            $"marching {rays} rays, {grid.Resolution}^3 grid, {grid.OccupiedFraction:P1} occupied, {samples.Samples} samples " +
            $"({(double)samples.Samples / rays:F1} per ray), {ParallelJobParts()} threads: wall {seconds * 1e3:F1} ms = {rays / seconds / 1e6:F2} M rays/s; " +
            $"process CPU {cpuSeconds * 1e3:F1} ms = {rays / cpuSeconds / 1e6:F2} M rays per CPU-second");
        Assert.True(samples.Samples > rays);
    }

    internal static OccupancyGrid SphereGrid(int resolution, float radius)
    {
        var grid = new OccupancyGrid(UnitBox, new OccupancyGridConfig { Resolution = resolution });
        grid.Update(0, new SphereDensityField(0, 0, 0, radius, 100), new Rng(10));
        return grid;
    }

    private static int ParallelJobParts() => NerfSharp.Kernels.ParallelJob.DefaultParts;

    private static float Norm(float[] d, int r) =>
        MathF.Sqrt((d[3 * r] * d[3 * r]) + (d[(3 * r) + 1] * d[(3 * r) + 1]) + (d[(3 * r) + 2] * d[(3 * r) + 2]));

    private static void AssertSame(RaySamples a, RaySamples b)
    {
        Assert.Equal(a.Rays, b.Rays);
        Assert.Equal(a.Samples, b.Samples);
        Assert.Equal(a.RayStart.AsSpan(0, a.Rays), b.RayStart.AsSpan(0, b.Rays));
        Assert.Equal(a.RayCount.AsSpan(0, a.Rays), b.RayCount.AsSpan(0, b.Rays));
        Assert.Equal(a.TStart.AsSpan(0, a.Samples), b.TStart.AsSpan(0, b.Samples));
        Assert.Equal(a.TEnd.AsSpan(0, a.Samples), b.TEnd.AsSpan(0, b.Samples));
        Assert.Equal(a.RayIndex.AsSpan(0, a.Samples), b.RayIndex.AsSpan(0, b.Samples));
    }

    /// <summary>Rays from outside (and some inside) the unit box towards points near its centre, with near/far bounds.</summary>
    internal static (float[] O, float[] D, float[] Near, float[] Far) RandomRays(int rays, Rng rng, bool unitDirections)
    {
        var o = new float[3 * rays];
        var d = new float[3 * rays];
        var near = new float[rays];
        var far = new float[rays];
        for (int r = 0; r < rays; r++)
        {
            float scale = unitDirections ? 1 : 0.3f + (2 * rng.NextFloat());
            float len = 0;
            for (int a = 0; a < 3; a++)
            {
                o[(3 * r) + a] = (rng.NextFloat() - 0.5f) * 3;
                d[(3 * r) + a] = ((rng.NextFloat() - 0.5f) * 0.6f) - o[(3 * r) + a];
                len += d[(3 * r) + a] * d[(3 * r) + a];
            }

            for (int a = 0; a < 3; a++)
            {
                d[(3 * r) + a] *= scale / MathF.Sqrt(len);
            }

            near[r] = rng.NextFloat() * 0.5f / scale;
            far[r] = (2 + rng.NextFloat()) / scale;
        }

        return (o, d, near, far);
    }
}
