using System.Diagnostics;

namespace NerfSharp.Imaging;

/// <summary>
/// Writes frames as an H.264 MP4 by piping raw rgb24 frames to the external <c>ffmpeg</c> program
/// (libx264, yuv420p, crf 18, padded to an even size as yuv420p requires). ffmpeg must be on PATH.
/// </summary>
public static class VideoEncoder
{
    private const string NotFoundMessage = "ffmpeg not found: install it (apt-get install ffmpeg)";

    /// <summary>
    /// Encodes <paramref name="frames"/> (all of one size; gray or RGB, alpha dropped; values clamped to [0, 1])
    /// at <paramref name="fps"/> frames per second. The file appears complete or not at all.
    /// </summary>
    public static void WriteMp4(string path, IReadOnlyList<Image> frames, int fps = 30) =>
        WriteMp4(path, frames, fps, Environment.GetEnvironmentVariable("PATH") ?? string.Empty);

    /// <summary>As <see cref="WriteMp4(string, IReadOnlyList{Image}, int)"/>, looking for ffmpeg in <paramref name="searchPath"/> (PATH syntax).</summary>
    internal static void WriteMp4(string path, IReadOnlyList<Image> frames, int fps, string searchPath)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fps);
        if (frames.Count == 0)
        {
            throw new ArgumentException("a video needs at least one frame", nameof(frames));
        }

        int width = frames[0].Width, height = frames[0].Height;
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].Width != width || frames[i].Height != height)
            {
                throw new ArgumentException($"frame {i} is {frames[i].Width}x{frames[i].Height}, frame 0 is {width}x{height}", nameof(frames));
            }
        }

        if (width == 0 || height == 0)
        {
            throw new ArgumentException("frames are empty", nameof(frames));
        }

        string ffmpeg = FindExecutable("ffmpeg", searchPath) ?? throw new InvalidOperationException(NotFoundMessage);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp.mp4");
        try
        {
            Encode(ffmpeg, temp, full, frames, width, height, fps);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>The full path of an executable file named <paramref name="name"/> in the PATH-style list, or null.</summary>
    internal static string? FindExecutable(string name, string searchPath)
    {
        foreach (string dir in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string candidate in OperatingSystem.IsWindows() ? [name + ".exe", name] : new[] { name })
            {
                string full = Path.Combine(dir, candidate);
                if (File.Exists(full))
                {
                    return full;
                }
            }
        }

        return null;
    }

    private static void Encode(string ffmpeg, string output, string displayName, IReadOnlyList<Image> frames, int width, int height, int fps)
    {
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-r", fps.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "-",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-movflags", "+faststart",
            "-f", "mp4", output,
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {ffmpeg}");

        // Drain both output pipes while writing, so that ffmpeg never blocks on a full pipe.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var buffer = new byte[width * height * 3];
        bool pipeBroken = false;
        try
        {
            using Stream stdin = process.StandardInput.BaseStream;
            foreach (Image frame in frames)
            {
                ToRgb24(frame, buffer);
                stdin.Write(buffer);
            }
        }
        catch (IOException)
        {
            // ffmpeg exited early; its exit code and stderr below say why.
            pipeBroken = true;
        }

        process.WaitForExit();
        string errors = stderr.GetAwaiter().GetResult();
        stdout.GetAwaiter().GetResult();
        if (process.ExitCode != 0 || pipeBroken)
        {
            throw new InvalidOperationException($"ffmpeg failed (exit code {process.ExitCode}) writing {displayName}: {errors.Trim()}");
        }
    }

    private static void ToRgb24(Image frame, byte[] buffer)
    {
        int n = frame.Channels;
        ReadOnlySpan<float> src = frame.Pixels;
        for (int p = 0; p < frame.Width * frame.Height; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                float v = src[(p * n) + (n >= 3 ? c : 0)];
                v = float.IsNaN(v) ? 0f : Math.Clamp(v, 0f, 1f);
                buffer[(3 * p) + c] = (byte)MathF.Round(v * 255f);
            }
        }
    }
}
