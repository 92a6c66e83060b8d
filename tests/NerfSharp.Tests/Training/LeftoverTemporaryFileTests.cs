using System.Diagnostics;
using NerfSharp.Parameters;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

/// <summary>Temporary files of checkpoint writes cut short by a kill are deleted at the next save; live writers' are not.</summary>
public sealed class LeftoverTemporaryFileTests
{
    [Fact]
    public void SaveDeletesTheTemporaryFilesOfDeadWritersOnly()
    {
        using var dir = new TempDirectory("nerf-leftover");
        string checkpoints = dir.Combine("checkpoints");
        Directory.CreateDirectory(checkpoints);

        // A process that has certainly exited, this process, and a running child.
        using var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        using var alive = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            string deadTemp = Path.Combine(checkpoints, $".step_000004.safetensors.{dead.Id}.0123abcd.tmp");
            string ownTemp = Path.Combine(checkpoints, $".step_000004.safetensors.{Environment.ProcessId}.0123abcd.tmp");
            string aliveTemp = Path.Combine(checkpoints, $".step_000004.safetensors.{alive.Id}.0123abcd.tmp");
            string unrelated = Path.Combine(checkpoints, "notes.tmp");
            foreach (string f in new[] { deadTemp, ownTemp, aliveTemp, unrelated })
            {
                File.WriteAllText(f, "partial");
            }

            var store = new ParameterStore();
            store.Add("w", [3]);
            store.Freeze();
            new CheckpointDirectory(checkpoints).Save(store, new Adam(store, new AdamConfig()), 8, new Dictionary<string, string>());

            Assert.False(File.Exists(deadTemp));
            Assert.True(File.Exists(ownTemp));
            Assert.True(File.Exists(aliveTemp));
            Assert.True(File.Exists(unrelated));
        }
        finally
        {
            alive.Kill();
            alive.WaitForExit();
        }
    }
}
