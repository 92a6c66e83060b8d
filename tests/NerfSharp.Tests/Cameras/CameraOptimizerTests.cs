using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cameras;

/// <summary>
/// <see cref="CameraOptimizer"/> on a batch of rays: the transform (origin + t, R direction, camera -1 untouched), its
/// backward from ray gradients (and the norm penalties) against central differences, and the corrected poses agreeing
/// with the corrected rays.
/// </summary>
public sealed class CameraOptimizerTests
{
    private const int Cameras = 3;

    [Theory]
    [InlineData("SO3xR3")]
    [InlineData("SE3")]
    public void RayTransformBackwardMatchesCentralDifferences(string mode)
    {
        var (optimizer, store) = Create(mode, translationPenalty: 0.3, rotationPenalty: 0.2);
        var init = new Rng(4);
        float[] values = store.Values;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (init.NextFloat() - 0.5f) * 0.6f;
        }

        RayBatch given = RandomRays(20, new Rng(8));
        var rays = new RayBatch(given.Capacity);
        rays.EnableRayGradients();
        double[] wo = GradientCheck.RandomWeights(3 * given.Capacity, seed: 1);
        double[] wd = GradientCheck.RandomWeights(3 * given.Capacity, seed: 2);
        double penalty = 0;

        // L = sum wo . o' + wd . d' + penalty; the model's part of the backward is dL/do' = wo, dL/dd' = wd.
        double Loss()
        {
            rays.CopyFrom(given, 0, given.Count);
            optimizer.Apply(rays);
            double l = 0;
            for (int i = 0; i < 3 * rays.Count; i++)
            {
                l += (wo[i] * rays.Origins[i]) + (wd[i] * rays.Directions[i]);
                rays.OriginGradients![i] = (float)wo[i];
                rays.DirectionGradients![i] = (float)wd[i];
            }

            store.ZeroGradients();
            penalty = optimizer.Backward(rays);
            return l + penalty;
        }

        Loss();
        Assert.True(penalty > 0);
        float[] analytic = (float[])store.Gradients.Clone();
        var result = GradientCheck.Check(values, Loss, analytic, probes: 6 * Cameras, eps: 2e-3, tolerance: 2e-3, floor: 1e-3);
        Assert.Equal(6 * Cameras, result.Probes);
    }

    [Fact]
    public void RaysOfCameraMinusOneAreUnchangedAndGetNoGradient()
    {
        var (optimizer, store) = Create("SO3xR3", translationPenalty: 0, rotationPenalty: 0);
        store.Values.AsSpan().Fill(0.1f);
        RayBatch rays = RandomRays(10, new Rng(1));
        rays.EnableRayGradients();
        for (int r = 0; r < rays.Count; r += 2)
        {
            rays.CameraIndex[r] = -1;
        }

        float[] origins = (float[])rays.Origins.Clone(), directions = (float[])rays.Directions.Clone();
        optimizer.Apply(rays);
        for (int r = 0; r < rays.Count; r++)
        {
            bool same = rays.Origins.AsSpan(3 * r, 3).SequenceEqual(origins.AsSpan(3 * r, 3)) && rays.Directions.AsSpan(3 * r, 3).SequenceEqual(directions.AsSpan(3 * r, 3));
            Assert.Equal(rays.CameraIndex[r] < 0, same);
            bool untouched = rays.CameraIndex[r] < 0;
            rays.OriginGradients.AsSpan(3 * r, 3).Fill(untouched ? 1f : 0f);
            rays.DirectionGradients.AsSpan(3 * r, 3).Fill(untouched ? 1f : 0f);
        }

        store.ZeroGradients();
        optimizer.Backward(rays);
        Assert.All(store.Gradients, g => Assert.Equal(0f, g));

        rays.CameraIndex[1] = Cameras;
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.Apply(rays));
    }

    [Fact]
    public void CorrectedPoseGeneratesTheCorrectedRays()
    {
        var (optimizer, store) = Create("SE3", translationPenalty: 0, rotationPenalty: 0);
        float[] values = store.Values;
        var init = new Rng(2);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (init.NextFloat() - 0.5f) * 0.4f;
        }

        var intrinsics = PinholeIntrinsics.FromFocal(16, 12, 14);
        Pose pose = NerfSharp.Data.Demo.DemoCameras.OnSphere(0.7, 0.4, 4);
        var rays = new RayBatch(4);
        for (int i = 0; i < 4; i++)
        {
            rays.Set(i, RayGenerator.GetRay(new Camera(intrinsics, pose), 3 * i, 2 * i), 2, 6, camera: 1);
        }

        rays.Count = 4;
        optimizer.Apply(rays);
        var corrected = new Camera(intrinsics, optimizer.CorrectedPose(1, pose));
        for (int i = 0; i < 4; i++)
        {
            Ray expected = RayGenerator.GetRay(corrected, 3 * i, 2 * i);
            Assert.Equal(expected.OriginX, rays.Origins[3 * i], 1e-5);
            Assert.Equal(expected.OriginY, rays.Origins[(3 * i) + 1], 1e-5);
            Assert.Equal(expected.OriginZ, rays.Origins[(3 * i) + 2], 1e-5);
            Assert.Equal(expected.DirX, rays.Directions[3 * i], 1e-5);
            Assert.Equal(expected.DirY, rays.Directions[(3 * i) + 1], 1e-5);
            Assert.Equal(expected.DirZ, rays.Directions[(3 * i) + 2], 1e-5);
        }

        // Zero corrections leave poses as they are.
        optimizer.Initialize();
        Assert.Equal(pose, optimizer.CorrectedPose(1, pose));
        Assert.Equal((0.0, 0.0), optimizer.MeanCorrection());
    }

    [Fact]
    public void ParameterGroupIsNerfstudiosCameraOptGroup()
    {
        var (optimizer, store) = Create("SO3xR3", translationPenalty: 1e-2, rotationPenalty: 1e-3);
        Assert.Equal(CameraOptimizer.GroupName, optimizer.Group.Name);
        Assert.Equal(1e-3, optimizer.Group.LearningRate);
        Assert.Equal(1e-15, optimizer.Group.Adam.Epsilon);
        Assert.Equal(1.0, optimizer.Group.Schedule.Factor(0, 0));
        Assert.Equal(0.1, optimizer.Group.Schedule.Factor(5000, 0), 12);
        Assert.Equal(0.1, optimizer.Group.Schedule.Factor(9000, 0), 12);
        Assert.Equal([Cameras, 6], store[CameraOptimizer.TensorName].Shape);
        Assert.Null(CameraOptimizer.Create(new CameraOptimizerConfig()));
        Assert.Throws<ArgumentException>(() => new CameraOptimizer(new CameraOptimizerConfig { Mode = "SE3" }));
    }

    private static (CameraOptimizer Optimizer, ParameterStore Store) Create(string mode, double translationPenalty, double rotationPenalty)
    {
        var optimizer = new CameraOptimizer(new CameraOptimizerConfig
        {
            Mode = mode,
            Cameras = Cameras,
            TranslationPenalty = translationPenalty,
            RotationPenalty = rotationPenalty,
        });
        var store = new ParameterStore();
        store.Add("other", [5]);
        optimizer.Register(store);
        store.Freeze();
        return (optimizer, store);
    }

    private static RayBatch RandomRays(int count, Rng rng)
    {
        var rays = new RayBatch(count);
        for (int i = 0; i < count; i++)
        {
            var ray = new Ray(
                (rng.NextFloat() * 4) - 2, (rng.NextFloat() * 4) - 2, (rng.NextFloat() * 4) - 2,
                rng.NextFloat() - 0.5, rng.NextFloat() - 0.5, rng.NextFloat() - 0.5);
            rays.Set(i, ray, 0, 1, camera: i % (Cameras + 1) == Cameras ? -1 : i % (Cameras + 1));
        }

        rays.Count = count;
        return rays;
    }
}
