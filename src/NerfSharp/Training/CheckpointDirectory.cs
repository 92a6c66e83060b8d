using NerfSharp.Parameters;
using System.Globalization;

namespace NerfSharp.Training;

/// <summary>
/// A run's checkpoints/ folder: files <c>step_000123.safetensors</c>, the newest <c>keep</c> of them kept.
/// Leftover temporary files of an interrupted write are never taken for checkpoints.
/// </summary>
public sealed class CheckpointDirectory
{
    private const string Prefix = "step_";
    private const string Extension = ".safetensors";

    public CheckpointDirectory(string directory, int keep = 3)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Directory = Path.GetFullPath(directory);
        Keep = keep;
    }

    public string Directory { get; }

    public int Keep { get; }

    /// <summary>The file name a checkpoint of <paramref name="step"/> gets.</summary>
    public string PathFor(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Path.Combine(Directory, Prefix + step.ToString("D6", CultureInfo.InvariantCulture) + Extension);
    }

    /// <summary>Writes the checkpoint of <paramref name="step"/>, then deletes all but the newest <see cref="Keep"/>; returns its path.</summary>
    public string Save(ParameterStore store, Adam adam, long step, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<Models.StateTensor>? state = null)
    {
        string path = PathFor(step);
        ThrowIfNotFinite(store, step);
        Checkpoint.Save(path, store, adam, step, metadata, state);
        RemoveLeftoverTemporaryFiles();
        var all = List();
        for (int i = 0; i < all.Count - Keep; i++)
        {
            if (all[i].Path != path)
            {
                File.Delete(all[i].Path);
            }
        }

        return path;
    }

    /// <summary>
    /// Deletes the temporary files (<c>.step_N.safetensors.PID.GUID.tmp</c>) of writes cut short by a killed process:
    /// those whose writer process is no longer running.
    /// </summary>
    public void RemoveLeftoverTemporaryFiles()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "." + Prefix + "*.tmp"))
        {
            string[] parts = Path.GetFileName(file).Split('.');
            if (parts.Length < 5 || !int.TryParse(parts[^3], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == Environment.ProcessId || IsRunning(pid))
            {
                continue;
            }

            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A checkpoint never holds NaN/Inf parameters: the last good one stays the newest.</summary>
    private void ThrowIfNotFinite(ParameterStore store, long step)
    {
        float[] values = store.Values;
        if (float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum<float>(values)))
        {
            return;
        }

        foreach (var t in store.Tensors)
        {
            for (int i = 0; i < t.Length; i++)
            {
                float v = values[t.Offset + i];
                if (!float.IsFinite(v))
                {
                    throw new TrainingDivergedException(
                        $"training diverged at step {step}: parameter {t.Name}[{i}] = {v.ToString(CultureInfo.InvariantCulture)}. " +
                        $"The checkpoint of step {step} was not written; the last checkpoint ({LatestPath() ?? "none"}) is intact.");
                }
            }
        }
    }

    /// <summary>The checkpoint with the highest step, or null when there is none.</summary>
    public string? LatestPath()
    {
        var all = List();
        return all.Count == 0 ? null : all[^1].Path;
    }

    /// <summary>Every checkpoint in the folder, lowest step first.</summary>
    public IReadOnlyList<(long Step, string Path)> List()
    {
        var found = new List<(long Step, string Path)>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return found;
        }

        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Extension))
        {
            string name = Path.GetFileName(file);
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Extension, StringComparison.Ordinal))
            {
                continue;
            }

            string digits = name[Prefix.Length..^Extension.Length];
            if (digits.Length > 0 && digits.All(char.IsAsciiDigit)
                && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            {
                found.Add((step, file));
            }
        }

        found.Sort((a, b) => a.Step.CompareTo(b.Step));
        return found;
    }
}
