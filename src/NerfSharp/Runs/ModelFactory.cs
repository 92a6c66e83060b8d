using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Models;
using NerfSharp.Parameters;

namespace NerfSharp.Runs;

/// <summary>Method presets in one place: creates the model a run config names.</summary>
public static class ModelFactory
{
    public static readonly IReadOnlyList<string> Models = ["ngp", "vanilla"];

    public static IRadianceModel Create(RunConfig config, BackgroundColor background)
    {
        var bg = background == BackgroundColor.White ? (1f, 1f, 1f) : (0f, 0f, 0f);
        return config.Model switch
        {
            "vanilla" => new VanillaNerf(
                config.Vanilla,
                bg,
                new ParameterGroup("default", new AdamConfig(), config.Trainer.LearningRate, new ExponentialDecaySchedule(config.Trainer.LearningRateDecay * 1000)),
                Math.Max(1024, config.Trainer.NetChunk)),
            _ => throw new ArgumentException($"unknown model '{config.Model}' (available: {string.Join(", ", Models)})"),
        };
    }
}
