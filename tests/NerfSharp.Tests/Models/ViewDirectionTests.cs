using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Imaging;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Models;

/// <summary>
/// nerf-pytorch's render() takes viewdirs from rays_d before ndc_rays: on forward-facing LLFF scenes the vanilla field is
/// conditioned on the normalised camera-ray direction, not on the NDC direction. Checked in the model (it reads
/// RayBatch.ViewDirections) and in both places that make NDC rays (the trainer and the image renderer).
/// </summary>
public sealed class ViewDirectionTests
{
    private static VanillaNerf TinyModel()
    {
        var config = new VanillaNerfConfig { NetDepth = 2, NetWidth = 16, Samples = 8, Importance = 8, Multires = 4, MultiresViews = 2, Perturb = false };
        var model = new VanillaNerf(config, (0f, 0f, 0f), pointsPerChunk: 1024);
        model.Initialize(new Rng(7));
        return model;
    }

    private static float[] RenderOne(VanillaNerf model, Ray ray, Ray? view)
    {
        var batch = new RayBatch(1) { Count = 1 };
        batch.Set(0, ray, 0f, 1f);
        if (view is { } v)
        {
            batch.SetViewDirection(0, v);
        }

        var output = new RenderedRays(1);
        model.Render(batch, output, model.CreateRenderContext(1));
        return output.Rgb.AsSpan(0, 3).ToArray();
    }

    [Fact]
    public void TheVanillaFieldSeesTheViewDirectionNotTheRayDirection()
    {
        VanillaNerf model = TinyModel();
        var ndc = new Ray(0.1, -0.2, -1, 0.05, 0.02, 2);
        float[] own = RenderOne(model, ndc, null);

        // The same view direction given explicitly (at another length: it is normalised) gives the same bits.
        Assert.Equal(own, RenderOne(model, ndc, new Ray(5, 5, 5, 0.15, 0.06, 6)));

        // Another view direction, same ray: the colour changes, the geometry does not.
        float[] other = RenderOne(model, ndc, new Ray(0, 0, 0, 0.3, -0.4, -0.8));
        Assert.NotEqual(own, other);

        // A later plain Set forgets an earlier ray's view direction.
        var batch = new RayBatch(1) { Count = 1 };
        batch.Set(0, ndc, 0f, 1f);
        batch.SetViewDirection(0, new Ray(0, 0, 0, 0.3, -0.4, -0.8));
        batch.Set(0, ndc, 0f, 1f);
        var output = new RenderedRays(1);
        model.Render(batch, output, model.CreateRenderContext(1));
        Assert.Equal(own, output.Rgb.AsSpan(0, 3).ToArray());
    }

    [Fact]
    public void TrainerAndRendererGiveNdcRaysTheCameraRaysDirection()
    {
        var camera = new Camera(PinholeIntrinsics.FromFocal(8, 6, 10), Pose.Identity);
        var image = new Image(8, 6, 3);
        var data = new DataParserOutput([image], [camera], ["a.png"], 0f, 1f, BackgroundColor.Black) { Ndc = true };
        var model = new RecordingModel(TinyModel());

        using var dir = new TempDirectory("nerf-viewdirs");
        var config = new RunConfig
        {
            OutputDir = dir.Path,
            Model = "vanilla",
            Trainer = new TrainerConfig { Steps = 1, BatchRays = 16, LogEvery = 1, CheckpointEvery = 0, TestsetEvery = 0, VideoEvery = 0, Seed = 2 },
        };
        var trainer = new Trainer(config, model, data);
        trainer.Initialize();
        trainer.Run();
        new ImageRenderer(model, 64).RenderView(data, 0);

        Assert.Equal(2, model.Calls.Count);
        foreach (var (rays, training) in model.Calls)
        {
            Assert.NotNull(rays.ViewDirections);
            for (int i = 0; i < rays.Count; i++)
            {
                // The batch holds NDC rays; find the pixel whose camera ray maps to ray i and compare directions.
                Ray world = FindCameraRay(data, camera, rays, i);
                Ray ndc = data.ToTrainingSpace(world);
                Assert.Equal((float)ndc.DirX, rays.Directions[3 * i]);
                Assert.Equal((float)world.DirX, rays.ViewDirections![3 * i]);
                Assert.Equal((float)world.DirY, rays.ViewDirections[(3 * i) + 1]);
                Assert.Equal((float)world.DirZ, rays.ViewDirections[(3 * i) + 2]);
                Assert.True(Math.Abs(ndc.DirZ - world.DirZ) > 1e-3, $"{(training ? "training" : "render")} ray {i}: NDC and camera directions coincide, the test proves nothing");
            }
        }
    }

    private static Ray FindCameraRay(DataParserOutput data, Camera camera, RayBatch rays, int i)
    {
        for (int y = 0; y < camera.Intrinsics.Height; y++)
        {
            for (int x = 0; x < camera.Intrinsics.Width; x++)
            {
                Ray world = RayGenerator.GetRay(camera, x, y);
                Ray ndc = data.ToTrainingSpace(world);
                if ((float)ndc.OriginX == rays.Origins[3 * i] && (float)ndc.OriginY == rays.Origins[(3 * i) + 1] && (float)ndc.DirZ == rays.Directions[(3 * i) + 2])
                {
                    return world;
                }
            }
        }

        throw new Xunit.Sdk.XunitException($"ray {i} is no pixel's NDC ray");
    }

    /// <summary>Forwards to a model and keeps a copy of every batch it is given.</summary>
    private sealed class RecordingModel(IRadianceModel inner) : IRadianceModel
    {
        public List<(RayBatch Rays, bool Training)> Calls { get; } = [];

        public ParameterStore Parameters => inner.Parameters;

        public IReadOnlyList<ParameterGroup> ParameterGroups => inner.ParameterGroups;

        public IReadOnlyList<StateTensor> State => inner.State;

        public StepStatistics LastStep => inner.LastStep;

        public void Initialize(Rng rng) => inner.Initialize(rng);

        public void OnStateRestored() => inner.OnStateRestored();

        public void BeforeStep(long step, Rng rng) => inner.BeforeStep(step, rng);

        public TrainLoss AccumulateGradients(RayBatch rays, ReadOnlySpan<float> targetRgb, int lossScaleRays, Rng rng)
        {
            Record(rays, true);
            return inner.AccumulateGradients(rays, targetRgb, lossScaleRays, rng);
        }

        public RenderContext CreateRenderContext(int maxRays) => inner.CreateRenderContext(maxRays);

        public void Render(RayBatch rays, RenderedRays output, RenderContext context)
        {
            if (Calls.Count < 2)
            {
                Record(rays, false);
            }

            inner.Render(rays, output, context);
        }

        private void Record(RayBatch rays, bool training)
        {
            var copy = new RayBatch(rays.Count);
            copy.CopyFrom(rays, 0, rays.Count);
            Calls.Add((copy, training));
        }
    }
}
