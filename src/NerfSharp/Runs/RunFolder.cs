using NerfSharp.Configuration;
using NerfSharp.IO;
using NerfSharp.Training;

namespace NerfSharp.Runs;

/// <summary>
/// A run's folder: config.json (the resolved config), metrics.jsonl, checkpoints/ and renders.
/// </summary>
public sealed class RunFolder
{
    public RunFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");

    public string MetricsPath => System.IO.Path.Combine(Path, "metrics.jsonl");

    public string CheckpointsPath => System.IO.Path.Combine(Path, "checkpoints");

    public string? LatestCheckpoint() => new CheckpointDirectory(CheckpointsPath).LatestPath();

    public RunConfig ReadConfig()
    {
        if (!File.Exists(ConfigPath))
        {
            throw new DataFormatException(ConfigPath, "not a NerfSharp run folder: config.json is missing");
        }

        return RunConfigJson.Deserialize(File.ReadAllText(ConfigPath), ConfigPath);
    }

    public void WriteConfig(RunConfig config)
    {
        Directory.CreateDirectory(Path);
        AtomicFile.WriteAllText(ConfigPath, RunConfigJson.Serialize(config));
    }
}
