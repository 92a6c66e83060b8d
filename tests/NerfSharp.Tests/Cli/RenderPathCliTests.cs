using NerfSharp.Cameras;
using NerfSharp.Imaging;
using NerfSharp.Numerics;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary><c>nerf render</c> with nerfstudio camera paths, orbit and interpolate paths and the choice of outputs, on a tiny trained run.</summary>
public sealed class RenderPathCliTests : IClassFixture<RenderPathCliTests.TrainedDemoRun>, IDisposable
{
    private readonly TempDirectory dir = new("nerf-renderpath");
    private readonly string run;

    public RenderPathCliTests(TrainedDemoRun trained) => run = trained.Run;

    public void Dispose() => dir.Dispose();

    /// <summary>A nerfstudio camera_path.json of two keyframes on the demo scene's camera sphere and the rendered list between them.</summary>
    private string WriteCameraPath(string name, bool withFrames, int width, int height, double fps, double seconds)
    {
        var target = new Vector3D(0, 0, 0);
        var up = new Vector3D(0, 0, 1);
        var keys = new List<CameraPathKeyframe>
        {
            new(OrbitPath.LookAt(new Vector3D(4, 0, 2), target, up), 40, (double)width / height),
            new(OrbitPath.LookAt(new Vector3D(0, 4, 2.5), target, up), 50, (double)width / height),
        };
        var path = new CameraPath(width, height, fps, seconds) { Keyframes = keys, DefaultTransitionSeconds = seconds };
        if (withFrames)
        {
            path = path with { Frames = path.Resolve() };
        }

        string file = dir.Combine(name);
        CameraPathJson.Write(file, path);
        return file;
    }

    private static void AssertFrames(string folder, string suffix, int count, int width, int height)
    {
        string[] files = Directory.GetFiles(folder, $"*_{suffix}.png").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.Equal(count, files.Length);
        foreach (string f in files)
        {
            Assert.Equal((width, height), ImageFile.ReadSize(f));
        }
    }

    [Fact]
    public void CameraPathJsonRendersTheFramesItAsksFor()
    {
        // fps 5 x 1.2 s = 6 frames at 24x16, listed in the file.
        string json = WriteCameraPath("camera_path.json", withFrames: true, 24, 16, 5, 1.2);
        string output = dir.Combine("from_json");
        var r = CliRunner.Run("render", "--run", run, "--path", json, "--out", output, "--video", "--outputs", "rgb,depth,accumulation", "--colormap", "viridis");
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        AssertFrames(output, "rgb", 6, 24, 16);
        AssertFrames(output, "depth", 6, 24, 16);
        AssertFrames(output, "acc", 6, 24, 16);
        Assert.Empty(Directory.GetFiles(output, "*_disp.png"));
        Assert.Equal(new VideoProbe.Info(6, 24, 16), VideoProbe.Read(Path.Combine(output, "video.mp4")));
        Assert.Equal(new VideoProbe.Info(6, 24, 16), VideoProbe.Read(Path.Combine(output, "video_depth.mp4")));
        Assert.True(File.Exists(Path.Combine(output, "video_acc.mp4")));

        // The path it rendered is written beside the frames and reads back to the same cameras.
        CameraPath written = CameraPathJson.Read(Path.Combine(output, "camera_path.json"));
        CameraPath original = CameraPathJson.Read(json);
        Assert.Equal(6, written.Frames.Count);
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(original.Frames[i].CameraToWorld, written.Frames[i].CameraToWorld);
        }

        // Depth frames are coloured: not grey.
        Image depth = PngDecoder.ReadImage(Path.Combine(output, "000_depth.png"));
        Assert.Contains(Enumerable.Range(0, 24 * 16), p => Math.Abs(depth.Pixels[3 * p] - depth.Pixels[(3 * p) + 1]) > 0.05);
    }

    [Fact]
    public void KeyframesOnlyFileToAnMp4FileAtAskedResolutionAndLength()
    {
        string json = WriteCameraPath("keyframes.json", withFrames: false, 24, 16, 5, 1.0);
        string video = dir.Combine("clips", "keyframes.mp4");
        var r = CliRunner.Run("render", "--run", run, "--path", json, "--out", video, "--seconds", "1.4", "--fps", "5", "--resolution", "20x12", "--outputs", "rgb,depth");
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Equal(new VideoProbe.Info(7, 20, 12), VideoProbe.Read(video));
        Assert.Equal(new VideoProbe.Info(7, 20, 12), VideoProbe.Read(dir.Combine("clips", "keyframes_depth.mp4")));
        Assert.Equal(["keyframes.mp4", "keyframes_depth.mp4"], Directory.GetFileSystemEntries(dir.Combine("clips")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OrbitAndInterpolatePaths()
    {
        string orbit = dir.Combine("orbit");
        var r = CliRunner.Run("render", "--run", run, "--path", "orbit", "--seconds", "1", "--fps", "4", "--resolution", "20x12", "--outputs", "depth", "--out", orbit);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        AssertFrames(orbit, "depth", 4, 20, 12);
        Assert.Empty(Directory.GetFiles(orbit, "*_rgb.png"));

        string interpolate = dir.Combine("interpolate");
        r = CliRunner.Run("render", "--run", run, "--path", "interpolate", "--frames", "3", "--downscale", "2", "--out", interpolate);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        AssertFrames(interpolate, "rgb", 3, 16, 16);
        AssertFrames(interpolate, "disp", 3, 16, 16);
        AssertFrames(interpolate, "acc", 3, 16, 16);
    }

    [Fact]
    public void BadCameraPathJsonIsExitOneWithOneSentenceNamingTheFile()
    {
        string bad = dir.Combine("broken_path.json");
        File.WriteAllText(bad, "{\"render_width\": 24, \"render_height\": 16, \"fps\": 5, \"seconds\": 1, \"camera_path\": [{\"camera_to_world\": [1, 0, 0], \"fov\": 50}]}");
        string output = dir.Combine("bad_out");
        var before = DirectorySnapshot.Take(run);
        var r = CliRunner.Run("render", "--run", run, "--path", bad, "--out", output);
        Assert.Equal(1, r.ExitCode);
        string message = r.Error.Trim();
        Assert.DoesNotContain('\n', message);
        Assert.Contains("broken_path.json", message, StringComparison.Ordinal);
        Assert.Contains("camera_to_world", message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
        DirectorySnapshot.AssertUnchanged(before, "a rejected camera path wrote into the run");

        File.WriteAllText(bad, "{ not json");
        r = CliRunner.Run("render", "--run", run, "--path", bad, "--out", output);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("broken_path.json", r.Error, StringComparison.Ordinal);

        r = CliRunner.Run("render", "--run", run, "--path", dir.Combine("missing_path.json"), "--out", output);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("missing_path.json", r.Error, StringComparison.Ordinal);

        r = CliRunner.Run("render", "--run", run, "--path", "orbit", "--colormap", "jet", "--out", output);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("jet", r.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    /// <summary>The demo scene and a tiny vanilla run trained on it for two steps, shared by the tests of this class.</summary>
    public sealed class TrainedDemoRun : IDisposable
    {
        private readonly DemoSceneFixture scene = new();
        private readonly TempDirectory dir = new("nerf-renderpath-run");

        public TrainedDemoRun()
        {
            Run = dir.Combine("run");
            var train = CliRunner.Run(["train", "--data", scene.SceneDir, "--model", "vanilla", "--out", Run, "--steps", "2", "--white_bkgd", "--testskip", "1", .. CliRunner.TinyModelFlags]);
            Assert.True(train.ExitCode == 0, train.Error + train.Out);
        }

        public string Run { get; }

        public void Dispose()
        {
            dir.Dispose();
            scene.Dispose();
        }
    }
}
