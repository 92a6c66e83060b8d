using System.Diagnostics;
using NerfSharp.Imaging;

namespace NerfSharp.Tests.Imaging;

/// <summary>VideoEncoder through the real ffmpeg (which CI installs); ffprobe checks the result.</summary>
public sealed class VideoEncoderTests
{
    [Theory]
    [InlineData(32, 24, 32, 24)]
    [InlineData(33, 19, 34, 20)]
    public void WritesTenFramesOfTheRightSize(int width, int height, int paddedWidth, int paddedHeight)
    {
        string dir = Directory.CreateTempSubdirectory("nerfsharp-video-").FullName;
        try
        {
            var frames = new List<Image>();
            for (int k = 0; k < 10; k++)
            {
                var frame = new Image(width, height, 3);
                for (int p = 0; p < width * height; p++)
                {
                    frame.Pixels[3 * p] = k / 9f;
                    frame.Pixels[(3 * p) + 1] = 0.5f;
                    frame.Pixels[(3 * p) + 2] = 1f - (k / 9f);
                }

                frames.Add(frame);
            }

            string path = Path.Combine(dir, "out", "video.mp4");
            VideoEncoder.WriteMp4(path, frames, fps: 10);

            string probe = Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                "-show_entries", "stream=nb_read_frames,width,height,codec_name,pix_fmt", "-of", "default=noprint_wrappers=1", path);
            Assert.Contains("nb_read_frames=10", probe);
            Assert.Contains($"width={paddedWidth}", probe);
            Assert.Contains($"height={paddedHeight}", probe);
            Assert.Contains("codec_name=h264", probe);
            Assert.Contains("pix_fmt=yuv420p", probe);

            // The frames' colours survive encoding (to within the lossy codec's error) in order.
            byte[] decoded = RunBytes("ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
            int frameBytes = paddedWidth * paddedHeight * 3;
            Assert.Equal(10 * frameBytes, decoded.Length);
            for (int k = 0; k < 10; k++)
            {
                int centre = (k * frameBytes) + ((((height / 2) * paddedWidth) + (width / 2)) * 3);
                Assert.InRange(decoded[centre], (k * 255 / 9) - 6, (k * 255 / 9) + 6);
                Assert.InRange(decoded[centre + 1], 128 - 6, 128 + 6);
                Assert.InRange(decoded[centre + 2], 255 - (k * 255 / 9) - 6, 255 - (k * 255 / 9) + 6);
            }

            Assert.Single(Directory.GetFiles(Path.Combine(dir, "out")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MissingFfmpegIsAClearError()
    {
        string empty = Directory.CreateTempSubdirectory("nerfsharp-nopath-").FullName;
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() =>
                VideoEncoder.WriteMp4(Path.Combine(empty, "v.mp4"), [new Image(4, 4, 3)], 30, empty));
            Assert.Equal("ffmpeg not found: install it (apt-get install ffmpeg)", e.Message);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void FramesOfDifferentSizesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => VideoEncoder.WriteMp4("unused.mp4", [new Image(4, 4, 3), new Image(4, 6, 3)]));
        Assert.Throws<ArgumentException>(() => VideoEncoder.WriteMp4("unused.mp4", []));
    }

    private static string Run(string program, params string[] args) => System.Text.Encoding.UTF8.GetString(RunBytes(program, args));

    private static byte[] RunBytes(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {errors.Result}");
        return output.ToArray();
    }
}
