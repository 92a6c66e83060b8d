using NerfSharp.Configuration;

namespace NerfSharp.Cli;

/// <summary>
/// Builds the run config of <c>nerf train</c>: defaults, then a nerf-pytorch config file (--config),
/// then command-line flags (our names or nerf-pytorch's keys), exactly in that order of precedence.
/// </summary>
public static class RunConfigResolver
{
    /// <summary>Our flag names and the nerf-pytorch key each stands for.</summary>
    private static readonly (string Flag, string Key)[] Aliases =
    [
        ("data", "datadir"),
        ("steps", "N_iters"),
        ("seed", "seed"),
        ("log-every", "i_print"),
        ("checkpoint-every", "i_weights"),
        ("batch-rays", "N_rand"),
        ("lr", "lrate"),
        ("half-res", "half_res"),
        ("white-bkgd", "white_bkgd"),
        ("samples", "N_samples"),
        ("importance", "N_importance"),
        ("testset-every", "i_testset"),
        ("video-every", "i_video"),
        ("time-budget", "time_budget"),
        ("target-samples", "target_samples"),
        ("random-bkgd", "random_bkgd"),
        ("scene-box", "scene_box"),
        ("camera-opt", "camera_opt"),
        ("max-memory", "max_memory"),
    ];

    /// <summary>Applies each <c>--key value</c> as a config key (our aliases translated), in order; unknown keys are errors naming them.</summary>
    public static RunConfig ApplyFlags(RunConfig config, IEnumerable<KeyValuePair<string, string>> flags)
    {
        foreach (var (key, value) in flags)
        {
            string mapped = key;
            foreach (var (flag, k) in Aliases)
            {
                if (key == flag)
                {
                    mapped = k;
                }
            }

            // The source names the flag as the user typed it, so an error about N_iters still says --steps.
            config = NerfPytorchConfigFile.Apply(config, [new(mapped, value)], $"command line --{key}");
        }

        return config;
    }

    /// <summary>Makes dataset and output paths absolute so the saved config works from any folder.</summary>
    public static RunConfig Absolutize(RunConfig config) => config with
    {
        Data = config.Data with { DataDir = string.IsNullOrEmpty(config.Data.DataDir) ? "" : Path.GetFullPath(config.Data.DataDir) },
        OutputDir = Path.GetFullPath(string.IsNullOrEmpty(config.OutputDir) ? Path.Combine(config.BaseDir, config.ExperimentName) : config.OutputDir),
    };
}
