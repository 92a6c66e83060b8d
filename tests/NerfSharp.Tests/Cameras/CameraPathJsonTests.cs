using NerfSharp.Cameras;
using NerfSharp.Numerics;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cameras;

public class CameraPathJsonTests
{
    /// <summary>A hand-written nerfstudio camera_path.json: two keyframes and a rendered path of three cameras.</summary>
    internal const string Sample = """
        {
          "camera_type": "perspective",
          "render_height": 48.0,
          "render_width": 64.0,
          "fps": 3.0,
          "seconds": 1.0,
          "is_cycle": false,
          "smoothness_value": 0.25,
          "default_fov": 50.0,
          "default_transition_sec": 2.0,
          "keyframes": [
            { "matrix": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 4, 0, 0, 0, 1], "fov": 50.0, "aspect": 1.3333333333333333,
              "override_transition_enabled": true, "override_transition_sec": 0.5 },
            { "matrix": [0, 0, 1, 4, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 1], "fov": 40.0, "aspect": 1.3333333333333333,
              "override_transition_enabled": false, "override_transition_sec": null }
          ],
          "camera_path": [
            { "camera_to_world": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 4, 0, 0, 0, 1], "fov": 50.0, "aspect": 1.3333333333333333 },
            { "camera_to_world": [[0.7071067811865476, 0, 0.7071067811865476, 2.8284271247461903], [0, 1, 0, 0], [-0.7071067811865476, 0, 0.7071067811865476, 2.8284271247461903], [0, 0, 0, 1]], "fov": 45.0, "aspect": 1.3333333333333333 },
            { "camera_to_world": [0, 0, 1, 4, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 1], "fov": 40.0 }
          ]
        }
        """;

    [Fact]
    public void ReadsTheHandWrittenFileToGoldenValues()
    {
        CameraPath path = CameraPathJson.Parse(Sample, "sample.json");
        Assert.Equal(64, path.RenderWidth);
        Assert.Equal(48, path.RenderHeight);
        Assert.Equal(3.0, path.Fps);
        Assert.Equal(1.0, path.Seconds);
        Assert.False(path.IsCycle);
        Assert.Equal(0.25, path.Tension);
        Assert.Equal(50.0, path.DefaultFovDegrees);
        Assert.Equal(2.0, path.DefaultTransitionSeconds);
        Assert.Equal(2, path.Keyframes.Count);
        Assert.Equal(0.5, path.Keyframes[0].TransitionSeconds);
        Assert.Null(path.Keyframes[1].TransitionSeconds);
        Assert.Equal(40.0, path.Keyframes[1].VerticalFovDegrees);
        Assert.Equal(3, path.Frames.Count);
        Assert.Equal([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 4], path.Frames[0].CameraToWorld.Values.ToArray());
        Assert.Equal(2.8284271247461903, path.Frames[1].CameraToWorld[0, 3]);
        Assert.Equal(-0.7071067811865476, path.Frames[1].CameraToWorld[2, 0]);
        Assert.Equal(45.0, path.Frames[1].VerticalFovDegrees);
        Assert.Equal(4.0 / 3.0, path.Frames[2].Aspect, 12);

        // The rendered list is used as is; the camera: fy = fx = (48 / 2) / tan(25 deg), principal point at the centre.
        Assert.Same(path.Frames, path.Resolve());
        Camera camera = path.Frames[0].ToCamera(path.RenderWidth, path.RenderHeight);
        Assert.Equal(24 / Math.Tan(25 * Math.PI / 180), camera.Intrinsics.Fy, 12);
        Assert.Equal(camera.Intrinsics.Fy, camera.Intrinsics.Fx);
        Assert.Equal((32.0, 24.0), (camera.Intrinsics.Cx, camera.Intrinsics.Cy));
        Assert.Equal(PixelCenter.Center, camera.PixelCenter);
        Assert.Equal(50.0, CameraPathPose.VerticalFov(48, camera.Intrinsics.Fy), 9);
    }

    [Fact]
    public void WriterRoundTripsEveryField()
    {
        CameraPath path = CameraPathJson.Parse(Sample, "sample.json");
        using var dir = new TempDirectory();
        string file = dir.Combine("out", "camera_path.json");
        CameraPathJson.Write(file, path);
        CameraPath back = CameraPathJson.Read(file);
        Assert.Equal((path.RenderWidth, path.RenderHeight, path.Fps, path.Seconds, path.IsCycle, path.Tension), (back.RenderWidth, back.RenderHeight, back.Fps, back.Seconds, back.IsCycle, back.Tension));
        Assert.Equal((path.DefaultFovDegrees, path.DefaultTransitionSeconds), (back.DefaultFovDegrees, back.DefaultTransitionSeconds));
        Assert.Equal(path.Keyframes, back.Keyframes, (a, b) => a.CameraToWorld.Equals(b.CameraToWorld) && a.VerticalFovDegrees == b.VerticalFovDegrees && a.Aspect == b.Aspect && a.TransitionSeconds == b.TransitionSeconds);
        Assert.Equal(path.Frames, back.Frames, (a, b) => a.CameraToWorld.Equals(b.CameraToWorld) && a.VerticalFovDegrees == b.VerticalFovDegrees && a.Aspect == b.Aspect);
    }

    [Fact]
    public void KeyframesOnlyFileIsInterpolatedToFpsTimesSeconds()
    {
        string json = Sample[..Sample.IndexOf("\"camera_path\"", StringComparison.Ordinal)].TrimEnd().TrimEnd(',') + "}";
        json = json.Replace("\"seconds\": 1.0", "\"seconds\": 2.5", StringComparison.Ordinal).Replace("\"fps\": 3.0", "\"fps\": 8.0", StringComparison.Ordinal);
        CameraPath path = CameraPathJson.Parse(json, "keyframes.json");
        Assert.Empty(path.Frames);
        IReadOnlyList<CameraPathPose> frames = path.Resolve();
        Assert.Equal(20, frames.Count);
        AssertPoseEqual(path.Keyframes[0].CameraToWorld, frames[0].CameraToWorld, 1e-12);
        AssertPoseEqual(path.Keyframes[1].CameraToWorld, frames[^1].CameraToWorld, 1e-12);
        Assert.Equal(40.0, frames[^1].VerticalFovDegrees, 12);

        // Asking for another length or rate resamples the keyframes; a file's own list is replaced too.
        Assert.Equal(12, path.Resolve(fps: 4, seconds: 3).Count);
        Assert.Equal(7, CameraPathJson.Parse(Sample, "sample.json").Resolve(frames: 7).Count);
    }

    [Theory]
    [InlineData("[1, 2]", "the top level is not a JSON object")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"seconds\": 1}", "the path is empty")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"seconds\": 1, \"camera_path\": []}", "the path is empty")]
    [InlineData("{\"render_height\": 48, \"fps\": 30, \"camera_path\": []}", "'render_width' is missing")]
    [InlineData("{\"render_width\": \"64\", \"render_height\": 48, \"fps\": 30}", "'render_width' is not a number")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": -1}", "'fps' must be positive")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 1e999}", "'fps' is not")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"camera_path\": [{\"fov\": 50}]}", "'camera_path[0].camera_to_world' is missing")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"camera_path\": [{\"camera_to_world\": [1, 0, 0], \"fov\": 50}]}", "is not a 4x4 matrix")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"camera_path\": [{\"camera_to_world\": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 4, 1], \"fov\": 50}]}", "does not end in the row 0 0 0 1")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"camera_path\": [{\"camera_to_world\": [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], \"fov\": 50}]}", "is not a rigid transform")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"camera_path\": [{\"camera_to_world\": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], \"fov\": \"wide\"}]}", "'camera_path[0].fov' is not a number")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"camera_path\": [{\"camera_to_world\": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], \"fov\": 180}]}", "'camera_path[0].fov' must be a vertical field of view")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"keyframes\": [{\"matrix\": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]}]}", "'seconds' is missing")]
    [InlineData("{\"render_width\": 64, \"render_height\": 48, \"fps\": 30, \"camera_type\": \"fisheye\"}", "camera_type 'fisheye' is not supported")]
    [InlineData("{\"render_width\": 64, ", "malformed JSON")]
    public void BadFilesNameTheFileAndTheProblem(string json, string problem)
    {
        var e = Assert.Throws<DataFormatException>(() => CameraPathJson.Parse(json, "bad_path.json"));
        Assert.Equal("bad_path.json", e.FilePath);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad_path.json: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => CameraPathJson.Read(dir.Combine("none.json")));
        Assert.Contains("none.json", e.Message, StringComparison.Ordinal);
    }

    internal static void AssertPoseEqual(Pose expected, Pose actual, double tolerance)
    {
        for (int i = 0; i < 12; i++)
        {
            Assert.True(Math.Abs(expected.Values[i] - actual.Values[i]) <= tolerance, $"entry {i}: expected {expected.Values[i]}, got {actual.Values[i]}");
        }
    }
}
