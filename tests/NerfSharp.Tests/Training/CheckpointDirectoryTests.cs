using NerfSharp.Parameters;
using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

public sealed class CheckpointDirectoryTests : IDisposable
{
    private readonly string dir = Path.Combine(Directory.CreateTempSubdirectory("nerfsharp-ckdir-").FullName, "checkpoints");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);

    private static (ParameterStore, Adam) Model()
    {
        var store = new ParameterStore();
        store.Add("w", [3]);
        store.Freeze();
        return (store, new Adam(store, new AdamConfig()));
    }

    [Fact]
    public void KeepsTheNewestAndFindsTheLatest()
    {
        var (store, adam) = Model();
        var ckpts = new CheckpointDirectory(dir, keep: 2);
        Assert.Null(ckpts.LatestPath());

        foreach (long step in new long[] { 10, 20, 30 })
        {
            store.Values[0] = step;
            string path = ckpts.Save(store, adam, step, new Dictionary<string, string>());
            Assert.Equal(Path.Combine(dir, $"step_{step:D6}.safetensors"), path);
        }

        Assert.Equal(["step_000020.safetensors", "step_000030.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(dir, "step_000030.safetensors"), ckpts.LatestPath());
        Assert.Equal([20L, 30L], ckpts.List().Select(c => c.Step));

        var (store2, adam2) = Model();
        Assert.Equal(30, Checkpoint.Load(ckpts.LatestPath()!, store2, adam2).Step);
        Assert.Equal(30f, store2.Values[0]);
    }

    [Fact]
    public void LatestIgnoresTemporaryAndForeignFilesAndOrdersNumerically()
    {
        var (store, adam) = Model();
        var ckpts = new CheckpointDirectory(dir, keep: 5);
        ckpts.Save(store, adam, 999_999, new Dictionary<string, string>());
        ckpts.Save(store, adam, 1_000_000, new Dictionary<string, string>());

        // What an interrupted AtomicFile write leaves, and other files that merely look alike.
        File.WriteAllText(Path.Combine(dir, ".step_9000000.safetensors.123.abc.tmp"), "partial");
        File.WriteAllText(Path.Combine(dir, "step_9000001.safetensors.tmp"), "partial");
        File.WriteAllText(Path.Combine(dir, "step_x9.safetensors"), "?");
        File.WriteAllText(Path.Combine(dir, "step_.safetensors"), "?");

        Assert.Equal(Path.Combine(dir, "step_1000000.safetensors"), ckpts.LatestPath());
        Assert.Equal(2, ckpts.List().Count);
    }

    [Fact]
    public void KeepMustBePositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CheckpointDirectory(dir, keep: 0));
    }
}
