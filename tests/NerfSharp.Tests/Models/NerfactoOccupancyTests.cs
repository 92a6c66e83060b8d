using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Encodings;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Runs;
using NerfSharp.Sampling;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Models;

/// <summary>
/// nerfacto with the occupancy grid in a scene box: rays clipped to their occupied stretch, rays that cross no occupied
/// cell seeing only their background (no samples, no gradient), the losses' gradients still those of finite differences.
/// </summary>
public sealed class NerfactoOccupancyTests : IClassFixture<DemoSceneFixture>
{
    private const float Radius = 0.45f;

    private readonly DemoSceneFixture scene;

    public NerfactoOccupancyTests(DemoSceneFixture scene) => this.scene = scene;

    /// <summary>A small bounded nerfacto with a 16^3 grid whose occupied cells are those inside a ball about the origin.</summary>
    private (NerfactoModel Model, RayBatch Rays, float[] Target) Setup(int rayCount)
    {
        DataParserOutput data = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train");
        NerfactoConfig config = NerfactoGradientTests.SmallConfig(data.Count) with
        {
            SceneKind = "bounded",
            RayBounds = "data",
            OccupancyGrid = "on",
            OccupancyGridResolution = 16,
        };
        var model = new NerfactoModel(config, new HashGridConfig(4, 2, 10, 4, 24), SceneSpace.Bounded(SceneBox.Cube(1.5f)), 1e-2, maxRays: rayCount);
        Assert.NotNull(model.Grid);
        NerfactoGradientTests.InitializeRandom(model);

        OccupancyGrid grid = model.Grid!;
        var cells = new float[grid.CellCount];
        int r = grid.Resolution;
        for (int c = 0; c < cells.Length; c++)
        {
            float x = -1.5f + ((c % r) + 0.5f) * 3f / r, y = -1.5f + (((c / r) % r) + 0.5f) * 3f / r, z = -1.5f + ((c / (r * r)) + 0.5f) * 3f / r;
            cells[c] = (x * x) + (y * y) + (z * z) < Radius * Radius ? 1f : 0f;
        }

        grid.RestoreState(cells);
        model.OnStateRestored();
        Assert.True(grid.OccupiedCount > 0);

        var rays = new RayBatch(rayCount);
        var target = new float[3 * rayCount];
        var pick = new Rng(5);
        for (int i = 0; i < rayCount; i++)
        {
            int image = pick.NextInt(data.Count), x = pick.NextInt(32), y = pick.NextInt(32);
            rays.Set(i, RayGenerator.GetRay(data.Cameras[image], x, y), data.Near, data.Far, image);
            target[3 * i] = pick.NextFloat();
            target[(3 * i) + 1] = pick.NextFloat();
            target[(3 * i) + 2] = pick.NextFloat();
        }

        rays.Count = rayCount;
        rays.FillBackground(0.2f, 0.5f, 0.9f);
        return (model, rays, target);
    }

    private static bool CrossesOccupiedCell(OccupancyGrid grid, RayBatch rays, int i, out float first, out float last)
    {
        var o = new float[] { rays.Origins[3 * i], rays.Origins[(3 * i) + 1], rays.Origins[(3 * i) + 2] };
        var d = new float[] { rays.Directions[3 * i], rays.Directions[(3 * i) + 1], rays.Directions[(3 * i) + 2] };
        float norm = MathF.Sqrt((d[0] * d[0]) + (d[1] * d[1]) + (d[2] * d[2]));
        d[0] /= norm;
        d[1] /= norm;
        d[2] /= norm;
        return OccupiedInterval.Find(grid, o, d, rays.Near[i] * norm, rays.Far[i] * norm, out first, out last);
    }

    [Fact]
    public void RaysThatCrossNoOccupiedCellSeeOnlyTheirBackground()
    {
        var (model, rays, _) = Setup(64);
        var output = new RenderedRays(64);
        model.Render(rays, output, model.CreateRenderContext(64));
        int hits = 0;
        for (int i = 0; i < 64; i++)
        {
            if (CrossesOccupiedCell(model.Grid!, rays, i, out float first, out float last))
            {
                hits++;
                Assert.True(output.Accumulation[i] > 0, $"ray {i} crosses the occupied ball but is transparent");
                float norm = MathF.Sqrt((rays.Directions[3 * i] * rays.Directions[3 * i]) + (rays.Directions[(3 * i) + 1] * rays.Directions[(3 * i) + 1]) + (rays.Directions[(3 * i) + 2] * rays.Directions[(3 * i) + 2]));
                float depth = output.Depth[i] * norm / output.Accumulation[i];
                Assert.InRange(depth, first - 1e-3f, last + 1e-3f);
            }
            else
            {
                Assert.Equal(0f, output.Accumulation[i]);
                Assert.Equal(0f, output.Depth[i]);
                Assert.Equal([0.2f, 0.5f, 0.9f], output.Rgb.AsSpan(3 * i, 3).ToArray());
            }
        }

        Assert.InRange(hits, 8, 56);
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesWithSkippedRays()
    {
        var (model, rays, target) = Setup(24);
        rays.EnableRayGradients();
        model.AccumulateGradients(rays, target, rays.Count, new Rng(9));
        long active = model.Times.ActiveRays;
        Assert.InRange(active, 4, 20);
        model.ReuseSamples = true;
        double Loss()
        {
            model.Parameters.ZeroGradients();
            return model.AccumulateGradients(rays, target, 1, new Rng(9)).Loss;
        }

        Loss();
        float[] analytic = (float[])model.Parameters.Gradients.Clone();
        foreach (string prefix in new[] { "proposal_0.", "field.encoding", "field.color_net" })
        {
            var tensors = model.Parameters.Tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            bool InGroup(int i) => tensors.Any(t => i >= t.Offset && i < t.Offset + t.Length);
            double scale = Enumerable.Range(0, analytic.Length).Where(InGroup).Max(i => Math.Abs((double)analytic[i]));
            Assert.True(scale > 0, $"{prefix}: no gradient at all");
            var result = GradientCheck.Check(
                model.Parameters.Values, Loss, analytic, probes: 10, eps: 2.5e-4, tolerance: 5e-2, floor: 2e-2 * scale, seed: 4,
                skip: i => !InGroup(i) || Math.Abs(analytic[i]) < 5e-2 * scale);
            Assert.True(result.Probes >= 3, $"{prefix}: only {result.Probes} probes");
        }

        // Rays that skip every occupied cell: no ray gradient (their colour is their background, whatever the pose).
        Loss();
        for (int i = 0; i < rays.Count; i++)
        {
            bool hit = CrossesOccupiedCell(model.Grid!, rays, i, out _, out _);
            float size = 0;
            for (int c = 0; c < 3; c++)
            {
                size += MathF.Abs(rays.OriginGradients![(3 * i) + c]) + MathF.Abs(rays.DirectionGradients![(3 * i) + c]);
            }

            Assert.True(hit ? size > 0 : size == 0, $"ray {i}: crosses occupied cells {hit}, ray gradient size {size}");
        }
    }
}
