using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Sampling;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Models;

/// <summary>
/// The ngp model's dL/dorigin and dL/ddirection (pose refinement) against central differences of its own loss, and
/// parameter gradients that do not change when ray gradients are asked for.
/// </summary>
public sealed class NgpRayGradientTests
{
    /// <summary>A small ngp model without sample pruning: 4 levels, 2^12 table, finest resolution 32 (few cell faces), a 16^3 grid.</summary>
    private static readonly NgpConfig SmallNgp = new()
    {
        HashLevels = 4,
        Log2HashmapSize = 12,
        MaxResolution = 32,
        GridResolution = 16,
        SceneBoxHalfSize = 1.5,
        RenderStepsPerDiagonal = 128,
        TrainEarlyStop = false,
    };

    [Fact]
    public void RayGradientsMatchFiniteDifferencesOfTheLoss()
    {
        var (model, rays, target) = Setup();
        rays.EnableRayGradients();
        double Loss()
        {
            model.Parameters.ZeroGradients();
            return model.AccumulateGradients(rays, target, rays.Count, new Rng(9)).Loss;
        }

        Loss();
        Assert.True(model.LastStep.Samples > 200, $"only {model.LastStep.Samples} samples");
        float[] dOrigin = rays.OriginGradients!.AsSpan(0, 3 * rays.Count).ToArray();
        float[] dDirection = rays.DirectionGradients!.AsSpan(0, 3 * rays.Count).ToArray();
        Assert.Contains(dOrigin, g => g != 0);

        // The origins sit inside the box and near is 0, so the march starts at t = 0 and the sample distances do not move
        // with the ray (what the analytic gradient assumes); the directions are not unit length, so the normalisation counts.
        // Every coordinate is probed. Trilinear hash interpolation has kinks at cell faces, which a central difference
        // straddles now and then, so the whole gradient must match closely (relative L2 error; measured 0.005 for origins and
        // 0.010 for directions, 0.16 with the normalisation's projection left out of one component) and each coordinate loosely.
        CheckAgainstCentralDifferences(rays.Origins, dOrigin, Loss, "origin");
        CheckAgainstCentralDifferences(rays.Directions, dDirection, Loss, "direction");
    }

    private static void CheckAgainstCentralDifferences(float[] x, float[] analytic, Func<double> loss, string what)
    {
        const float Eps = 1e-4f;
        double diff2 = 0, norm2 = 0, max = analytic.Max(v => Math.Abs((double)v));
        var worst = new List<string>();
        for (int i = 0; i < analytic.Length; i++)
        {
            float o = x[i];
            x[i] = o + Eps;
            double lp = loss();
            x[i] = o - Eps;
            double lm = loss();
            x[i] = o;
            double numeric = (lp - lm) / (2.0 * Eps);
            double d = analytic[i] - numeric;
            diff2 += d * d;
            norm2 += numeric * numeric;
            if (Math.Abs(d) > (0.1 * max) + (0.1 * Math.Abs(numeric)))
            {
                worst.Add($"[{i}] analytic {analytic[i]:E4} numeric {numeric:E4}");
            }
        }

        double relative = Math.Sqrt(diff2 / norm2);
        Assert.True(relative < 0.03, $"dL/d{what}: relative L2 error {relative:F4}");
        Assert.True(worst.Count == 0, $"dL/d{what}: " + string.Join("; ", worst));
    }

    [Fact]
    public void ParameterGradientsAreTheSameWithAndWithoutRayGradients()
    {
        var (model, rays, target) = Setup();
        model.Parameters.ZeroGradients();
        double plain = model.AccumulateGradients(rays, target, rays.Count, new Rng(9)).Loss;
        float[] without = (float[])model.Parameters.Gradients.Clone();
        rays.EnableRayGradients();
        model.Parameters.ZeroGradients();
        double with = model.AccumulateGradients(rays, target, rays.Count, new Rng(9)).Loss;
        Assert.Equal(plain, with);
        Assert.Equal(without, model.Parameters.Gradients);
    }

    private static (NgpModel Model, RayBatch Rays, float[] Target) Setup()
    {
        var model = new NgpModel(SmallNgp, SceneBox.Cube(1.5f), 1e-2, maxRays: 32, maxSamples: 1 << 14);
        model.Initialize(new Rng(3));
        Array.Fill(model.Grid.Values, 1f);
        model.OnStateRestored();
        var init = new Rng(11);
        float[] values = model.Parameters.Values;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (init.NextFloat() - 0.5f) * (i < model.Field.Encoding.ParameterCount ? 2f : 0.6f);
        }

        var rays = new RayBatch(16);
        var target = new float[3 * rays.Capacity];
        var pick = new Rng(5);
        for (int i = 0; i < rays.Capacity; i++)
        {
            double length = 0.5 + (1.5 * pick.NextFloat());
            double dx = pick.NextFloat() - 0.5, dy = pick.NextFloat() - 0.5, dz = pick.NextFloat() - 0.5;
            double n = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)) / length;
            var ray = new Ray(pick.NextFloat() - 0.5, pick.NextFloat() - 0.5, pick.NextFloat() - 0.5, dx / n, dy / n, dz / n);
            rays.Set(i, ray, 0f, 100f, camera: i % 4);
            target[3 * i] = pick.NextFloat();
            target[(3 * i) + 1] = pick.NextFloat();
            target[(3 * i) + 2] = pick.NextFloat();
        }

        rays.Count = rays.Capacity;
        rays.FillBackground(0.2f, 0.5f, 0.9f);
        return (model, rays, target);
    }
}
