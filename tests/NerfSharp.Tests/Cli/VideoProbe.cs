using System.Diagnostics;
using System.Globalization;

namespace NerfSharp.Tests.Cli;

/// <summary>Frame count and size of a video file, read with ffprobe (which CI installs with ffmpeg).</summary>
public static class VideoProbe
{
    public sealed record Info(int Frames, int Width, int Height);

    public static Info Read(string path)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames,width,height", "-of", "default=noprint_wrappers=1", path })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"ffprobe did not finish on {path}");
        Assert.True(process.ExitCode == 0, $"ffprobe failed on {path}: {errors.Result}");
        var values = new Dictionary<string, int>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = line.IndexOf('=');
            if (eq > 0 && int.TryParse(line[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            {
                values[line[..eq]] = v;
            }
        }

        Assert.True(values.ContainsKey("nb_read_frames") && values.ContainsKey("width") && values.ContainsKey("height"), $"ffprobe output for {path}: {output}");
        return new Info(values["nb_read_frames"], values["width"], values["height"]);
    }
}
