using System.Diagnostics;
using System.Text.Json;
using NerfSharp.Data.Processing;
using NerfSharp.Imaging;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// `nerf process images|video` with the real COLMAP (CPU) and ffmpeg, which CI installs (test.sh does), on a dozen beer
/// photos and on a short clip made from them; then a few training steps on the processed scene. About a minute in all.
/// </summary>
public sealed class ProcessEndToEndTests
{
    [Fact]
    public void ProcessImagesRegistersADozenBeerPhotosAndTrains()
    {
        using var dir = new TempDirectory("nerfsharp-process");
        string photos = dir.Combine("photos");
        Directory.CreateDirectory(photos);
        for (int i = 0; i < 24; i += 2)
        {
            string name = $"{i:D4}.jpg";
            File.Copy(SharedData.Data("colmap", "beer", "images", name), Path.Combine(photos, name));
        }

        string scene = dir.Combine("scene");
        var process = CliRunner.Run("process", "images", photos, "--out", scene);
        Assert.True(process.ExitCode == 0, process.Error + process.Out);
        int registered = int.Parse(process.Out.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(registered, 10, 12);
        Assert.Contains("COLMAP: mapping", process.Error, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(scene, "transforms.json"))))
        {
            Assert.Equal(registered, json.RootElement.GetProperty("frames").GetArrayLength());
        }

        Assert.Equal((90, 160), ImageFile.ReadSize(Path.Combine(scene, "images_8", "0000.jpg")));

        string run = dir.Combine("run");
        var train = CliRunner.Run(["train", "--data", scene, "--model", "vanilla", "--out", run, "--steps", "2", "--factor", "8", "--log-every", "1", .. CliRunner.TinyModelFlags]);
        Assert.True(train.ExitCode == 0, train.Error + train.Out);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
    }

    [Fact]
    public void ProcessVideoExtractsSharpFramesAndRegistersThem()
    {
        using var dir = new TempDirectory("nerfsharp-process");
        string frames = dir.Combine("frames");
        Directory.CreateDirectory(frames);
        for (int i = 0; i < 24; i++)
        {
            File.Copy(SharedData.Data("colmap", "beer", "images", $"{i:D4}.jpg"), Path.Combine(frames, $"{i:D4}.jpg"));
        }

        string clip = dir.Combine("clip.mp4");
        using (var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", ["-v", "error", "-y", "-framerate", "8", "-i", Path.Combine(frames, "%04d.jpg"), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", clip]))!)
        {
            ffmpeg.WaitForExit();
            Assert.Equal(0, ffmpeg.ExitCode);
        }

        string scene = dir.Combine("scene");
        var process = CliRunner.Run("process", "video", clip, "--out", scene, "--frames", "12");
        Assert.True(process.ExitCode == 0, process.Error + process.Out);
        Assert.Contains("kept the sharper frame of each pair: 12 frames", process.Error, StringComparison.Ordinal);
        Assert.Equal(12, Directory.GetFiles(Path.Combine(scene, "images")).Length);
        int registered = int.Parse(process.Out.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(registered, 6, 12);
    }

    [Fact]
    public void MissingFolderOrTooFewImagesFailWithOneSentence()
    {
        using var dir = new TempDirectory("nerfsharp-process");
        var missing = CliRunner.Run("process", "images", dir.Combine("nope"), "--out", dir.Combine("scene"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
        var usage = CliRunner.Run("process", "photos");
        Assert.Equal(1, usage.ExitCode);
        Assert.Contains("usage: nerf process", usage.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void SharpnessPrefersTheSharperImage()
    {
        Image sharp = JpegDecoder.ReadImage(SharedData.Data("colmap", "bonsai_3view", "images", "DSCF5574.JPG"));
        Image soft = BoxBlur(BoxBlur(sharp));
        Assert.True(CaptureProcessor.Sharpness(sharp) > 2 * CaptureProcessor.Sharpness(soft));
        Assert.True(CaptureProcessor.Sharpness(soft) > 0);
    }

    /// <summary>3x3 mean filter (edges clamped).</summary>
    private static Image BoxBlur(Image image)
    {
        var result = new Image(image.Width, image.Height, image.Channels);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                for (int c = 0; c < image.Channels; c++)
                {
                    float sum = 0;
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            sum += image[Math.Clamp(x + dx, 0, image.Width - 1), Math.Clamp(y + dy, 0, image.Height - 1), c];
                        }
                    }

                    result[x, y, c] = sum / 9;
                }
            }
        }

        return result;
    }
}
