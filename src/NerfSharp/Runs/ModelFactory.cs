using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Models;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

namespace NerfSharp.Runs;

/// <summary>Method presets in one place: creates the model a run config names.</summary>
public static class ModelFactory
{
    /// <summary>The scene box of the ngp model when the config gives none: [-1.5, 1.5]^3 (nerf_synthetic, instant-ngp and nerfacc).</summary>
    public const double DefaultSceneBoxHalfSize = 1.5;

    public static readonly IReadOnlyList<string> Models = ["ngp", "vanilla"];

    public static IRadianceModel Create(RunConfig config, BackgroundColor background)
    {
        var bg = background == BackgroundColor.White ? (1f, 1f, 1f) : (0f, 0f, 0f);
        CameraOptimizer? cameraOptimizer = CameraOptimizer.Create(config.CameraOptimizer);
        if (cameraOptimizer != null && config.Model == "vanilla")
        {
            throw new ArgumentException($"camera_opt {config.CameraOptimizer.Mode} needs a model with ray gradients (ngp); the vanilla model has none");
        }

        return config.Model switch
        {
            "vanilla" => new VanillaNerf(
                config.Vanilla,
                bg,
                new ParameterGroup("default", new AdamConfig(), config.Trainer.LearningRate, new ExponentialDecaySchedule(config.Trainer.LearningRateDecay * 1000)),
                MemoryBudget.VanillaPointsPerChunk(config)),
            "ngp" => new NgpModel(
                config.Ngp,
                SceneBox.Cube((float)(config.Ngp.SceneBoxHalfSize > 0 ? config.Ngp.SceneBoxHalfSize : DefaultSceneBoxHalfSize)),
                config.Trainer.LearningRate,
                Math.Max(config.Trainer.BatchRays, config.Trainer.TargetSamplesPerStep > 0 ? config.Trainer.MaxBatchRays : 0),
                Math.Max(1 << 18, config.Trainer.TargetSamplesPerStep + (config.Trainer.TargetSamplesPerStep / 2)),
                cameraOptimizer),
            _ => throw new ArgumentException($"unknown model '{config.Model}' (available: {string.Join(", ", Models)})"),
        };
    }
}
