using NerfSharp.IO;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// A short training run gives the same bits whatever the number of processors .NET sees (DOTNET_PROCESSOR_COUNT
/// in a child process: 1, 2 and 3, so the MLP's per-thread partial gradients and Adam's chunking are split
/// differently): final weights, Adam moments and every logged loss.
/// </summary>
public sealed class ThreadCountDeterminismTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public ThreadCountDeterminismTests(DemoSceneFixture scene) => this.scene = scene;

    [Fact]
    public void OneTwoAndThreeProcessorsTrainToIdenticalBits()
    {
        using var dir = new TempDirectory("nerf-threads");
        const int steps = 6;
        var runs = new List<string>();
        foreach (int processors in new[] { 1, 2, 3 })
        {
            string run = dir.Combine($"p{processors}");
            string[] args =
            [
                "train", "--data", scene.SceneDir, "--model", "vanilla", "--out", run, "--steps", steps.ToString(), "--white_bkgd", "--testskip", "1",
                "--log-every", "1", .. CliRunner.TinyModelFlags,

                // Wider than the tiny model and more rays, so the MLP and Adam really split their work over threads.
                "--netwidth", "64", "--netwidth_fine", "64", "--N_rand", "256",
            ];
            using var child = ChildProcess.Start(args, new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = processors.ToString() });
            int code = child.WaitForExit(TimeSpan.FromSeconds(120));
            Assert.True(code == 0, $"{processors} processors: exit {code}: {child.Output}");
            runs.Add(run);
        }

        string final = Path.Combine("checkpoints", $"step_{steps:D6}.safetensors");
        var reference = SafetensorsFile.Read(Path.Combine(runs[0], final));
        string[] referenceLosses = Losses(runs[0]);
        for (int k = 1; k < runs.Count; k++)
        {
            var other = SafetensorsFile.Read(Path.Combine(runs[k], final));
            Assert.Equal(reference.Names.Order(StringComparer.Ordinal), other.Names.Order(StringComparer.Ordinal));
            foreach (string name in reference.Names)
            {
                Assert.True(reference[name].Data.AsSpan().SequenceEqual(other[name].Data), $"{name} differs between 1 and {k + 1} processors");
            }

            Assert.Equal(referenceLosses, Losses(runs[k]));
        }
    }

    private static string[] Losses(string run) =>
        File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("loss").GetRawText())
            .ToArray();
}
