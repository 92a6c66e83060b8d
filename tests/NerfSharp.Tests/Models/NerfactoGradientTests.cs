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
/// The nerfacto model's whole training loss (RGB, interlevel, distortion) against finite differences, with the sample
/// intervals held fixed (the samplers carry no gradient): w.r.t. parameters of each proposal field and of the main field
/// (appearance embedding included), and w.r.t. the rays' origins and directions (the ray gradients pose refinement uses).
/// </summary>
public sealed class NerfactoGradientTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public NerfactoGradientTests(DemoSceneFixture scene) => this.scene = scene;

    internal static NerfactoConfig SmallConfig(int images, double distortion = 0.002) => new()
    {
        ProposalSamples1 = 24,
        ProposalSamples2 = 12,
        NerfSamples = 8,
        ProposalHashLevels = 3,
        ProposalLog2HashmapSize = 10,
        ProposalMaxResolution1 = 16,
        ProposalMaxResolution2 = 24,
        AppearanceWidth = 4,
        TrainImages = images,
        SceneKind = "unbounded",
        RayBounds = "planes",
        NearPlane = 1.5,
        FarPlane = 12,
        DistortionWeight = distortion,
    };

    /// <summary>Initialises the model, then sets every parameter uniform in [-0.6, 0.6) (large enough for clear gradients everywhere).</summary>
    internal static void InitializeRandom(NerfactoModel model)
    {
        model.Initialize(new Rng(3));
        var init = new Rng(11);
        float[] values = model.Parameters.Values;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (init.NextFloat() - 0.5f) * 1.2f;
        }
    }

    private (NerfactoModel Model, RayBatch Rays, float[] Target) Setup(ContractionNorm norm, double distortion, string background, double sceneScale = 0)
    {
        DataParserOutput data = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train");
        NerfactoConfig config = SmallConfig(data.Count, distortion) with
        {
            Background = background,
            SceneScale = sceneScale,
            SceneCenterX = sceneScale > 0 ? 0.4 : 0,
            SceneCenterY = sceneScale > 0 ? -0.3 : 0,
            SceneCenterZ = sceneScale > 0 ? 0.2 : 0,
            NearPlane = sceneScale > 0 ? 1.5 * sceneScale : 1.5,
            FarPlane = sceneScale > 0 ? 12 * sceneScale : 12,
        };
        var model = new NerfactoModel(config, new HashGridConfig(4, 2, 10, 4, 24), SceneSpace.Contracted(norm), 1e-2, maxRays: 32);
        InitializeRandom(model);
        var rays = new RayBatch(16);
        var target = new float[3 * 16];
        var pick = new Rng(5);
        for (int i = 0; i < rays.Capacity; i++)
        {
            int image = pick.NextInt(data.Count), x = 8 + pick.NextInt(16), y = 8 + pick.NextInt(16);
            rays.Set(i, RayGenerator.GetRay(data.Cameras[image], x, y), data.Near, data.Far, image);
            target[3 * i] = pick.NextFloat();
            target[(3 * i) + 1] = pick.NextFloat();
            target[(3 * i) + 2] = pick.NextFloat();
        }

        rays.Count = rays.Capacity;
        rays.FillBackground(0.2f, 0.5f, 0.9f);
        rays.EnableRayGradients();
        model.BeforeStep(400, new Rng(1));

        // One training call draws the samples; later calls keep them.
        model.AccumulateGradients(rays, target, rays.Count, new Rng(9));
        model.ReuseSamples = true;
        return (model, rays, target);
    }

    [Theory]
    [InlineData(ContractionNorm.LInfinity, 0.002, "last_sample")]
    [InlineData(ContractionNorm.L2, 0.5, "random")]
    public void ParameterGradientsMatchFiniteDifferences(ContractionNorm norm, double distortion, string background)
    {
        var (model, rays, target) = Setup(norm, distortion, background);
        double Loss()
        {
            model.Parameters.ZeroGradients();
            return model.AccumulateGradients(rays, target, 1, new Rng(9)).Loss;
        }

        Loss();
        float[] analytic = (float[])model.Parameters.Gradients.Clone();
        float[] values = model.Parameters.Values;
        foreach (string prefix in new[] { "proposal_0.", "proposal_1.", "field.encoding", "field.density_net", "field.color_net", "field.appearance" })
        {
            var tensors = model.Parameters.Tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(tensors);
            bool InGroup(int i) => tensors.Any(t => i >= t.Offset && i < t.Offset + t.Length);
            double scale = Enumerable.Range(0, analytic.Length).Where(InGroup).Max(i => Math.Abs((double)analytic[i]));
            Assert.True(scale > 0, $"{prefix}: no gradient at all");
            var result = GradientCheck.Check(
                values, Loss, analytic, probes: 12, eps: 2.5e-4, tolerance: 5e-2, floor: 2e-2 * scale, seed: 4,
                skip: i => !InGroup(i) || Math.Abs(analytic[i]) < 5e-2 * scale);
            Assert.True(result.Probes >= 3, $"{prefix}: only {result.Probes} probes");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.35)]
    public void RayOriginAndDirectionGradientsMatchFiniteDifferences(double sceneScale)
    {
        // sceneScale > 0: the world is normalised into model units first ((x - c) * s), and dL/dorigin carries the s.
        var (model, rays, target) = Setup(ContractionNorm.LInfinity, 0.002, "last_sample", sceneScale);
        double Loss() => model.AccumulateGradients(rays, target, 1, new Rng(9)).Loss;
        Loss();
        float[] origin = (float[])rays.OriginGradients!.Clone();
        float[] direction = (float[])rays.DirectionGradients!.Clone();
        double scaleO = origin.Max(v => Math.Abs((double)v)), scaleD = direction.Max(v => Math.Abs((double)v));
        Assert.True(scaleO > 0 && scaleD > 0);
        // Entries with a clear gradient (the hash grids are piecewise linear in position: a tiny gradient is mostly kinks).
        var o = GradientCheck.Check(
            rays.Origins, Loss, origin, probes: 24, eps: 5e-5, tolerance: 5e-2, floor: 2e-2 * scaleO, seed: 2,
            skip: i => i >= origin.Length || Math.Abs(origin[i]) < 1e-2 * scaleO);
        var d = GradientCheck.Check(
            rays.Directions, Loss, direction, probes: 24, eps: 5e-5, tolerance: 5e-2, floor: 2e-2 * scaleD, seed: 3,
            skip: i => i >= direction.Length || Math.Abs(direction[i]) < 1e-2 * scaleD);
        Assert.True(o.Probes >= 20 && d.Probes >= 20, $"{o.Probes} origin and {d.Probes} direction probes");
    }

    [Fact]
    public void NormalisedSceneRendersTheSameColoursAndDepthsInWorldUnits()
    {
        // A model on a normalised world ((x - c) * s) and the same parameters on rays moved so that they land on the same
        // model-unit rays must render the same colours, with depths reported in world units (model depth / s).
        DataParserOutput data = DatasetLoader.Load(new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true }, "train");
        const double s = 0.35, cx = 0.4, cy = -0.3, cz = 0.2;
        NerfactoConfig plain = SmallConfig(data.Count);
        NerfactoConfig normalised = plain with { SceneScale = s, SceneCenterX = cx, SceneCenterY = cy, SceneCenterZ = cz };
        var hash = new HashGridConfig(4, 2, 10, 4, 24);
        var a = new NerfactoModel(plain, hash, SceneSpace.Contracted(ContractionNorm.LInfinity), 1e-2, maxRays: 32);
        var b = new NerfactoModel(normalised, hash, SceneSpace.Contracted(ContractionNorm.LInfinity), 1e-2, maxRays: 32);
        InitializeRandom(a);

        a.Parameters.Values.CopyTo(b.Parameters.Values, 0);
        var raysA = new RayBatch(16);
        var raysB = new RayBatch(16);
        for (int i = 0; i < 16; i++)
        {
            Ray ray = RayGenerator.GetRay(data.Cameras[i % data.Count], 10 + i, 12 + (i % 5));
            raysA.Set(i, ray, data.Near, data.Far, -1);
            var moved = ray with { OriginX = (ray.OriginX / s) + cx, OriginY = (ray.OriginY / s) + cy, OriginZ = (ray.OriginZ / s) + cz };
            raysB.Set(i, moved, data.Near, data.Far, -1);
        }

        raysA.Count = raysB.Count = 16;
        var outA = new RenderedRays(16);
        var outB = new RenderedRays(16);
        a.Render(raysA, outA, a.CreateRenderContext(16));
        b.Render(raysB, outB, b.CreateRenderContext(16));
        for (int i = 0; i < 16; i++)
        {
            Assert.True(outA.Depth[i] > 0.5f, $"ray {i}: depth {outA.Depth[i]}");
            Assert.Equal(outA.Depth[i] / s, outB.Depth[i], 1e-3 * outA.Depth[i] / s);
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(outA.Rgb[(3 * i) + c], outB.Rgb[(3 * i) + c], 1e-4);
            }
        }
    }
}
