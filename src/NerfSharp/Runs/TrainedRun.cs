using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Models;
using NerfSharp.Training;

namespace NerfSharp.Runs;

/// <summary>A run folder's config with its model restored from the latest checkpoint (for eval and render).</summary>
public sealed record TrainedRun(RunFolder Folder, RunConfig Config, IRadianceModel Model, long Step, string CheckpointPath)
{
    public static TrainedRun Open(string runDir)
    {
        var folder = new RunFolder(runDir);
        RunConfig config = folder.ReadConfig();
        string checkpoint = folder.LatestCheckpoint()
            ?? throw new DataFormatException(folder.CheckpointsPath, "the run has no checkpoint yet (train it first)");
        IRadianceModel model = ModelFactory.Create(config, config.Data.WhiteBackground ? BackgroundColor.White : BackgroundColor.Black);
        CheckpointData data = Checkpoint.Load(checkpoint, model.Parameters, adam: null, model.State);
        model.OnStateRestored();
        return new TrainedRun(folder, config, model, data.Step, checkpoint);
    }
}
