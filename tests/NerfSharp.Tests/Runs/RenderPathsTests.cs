using NerfSharp.Cameras;
using NerfSharp.Data;
using NerfSharp.Numerics;
using NerfSharp.Runs;
using NerfSharp.Tests.Cameras;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Runs;

public class RenderPathsTests
{
    /// <summary>Reference data without images: four Blender-style cameras (32x24, focal 30) around the origin.</summary>
    private static DataParserOutput Reference()
    {
        var cameras = new List<Camera>();
        foreach (double theta in new[] { -90.0, 0.0, 60.0, 150.0 })
        {
            cameras.Add(new Camera(PinholeIntrinsics.FromFocal(32, 24, 30), CameraPaths.PoseSpherical(theta, -30, 4)));
        }

        return new DataParserOutput([], cameras, cameras.Select((_, i) => $"r_{i}.png").ToList(), 2f, 6f, BackgroundColor.White);
    }

    [Fact]
    public void GeneratedPathsHaveFpsTimesSecondsFramesOrTheFramesAskedFor()
    {
        DataParserOutput reference = Reference();
        Assert.Equal(40, RenderPaths.Resolve(reference, "spiral", new RenderPathOptions()).Cameras.Count);
        Assert.Equal(20, RenderPaths.Resolve(reference, "orbit", new RenderPathOptions { Fps = 10, Seconds = 2 }).Cameras.Count);
        Assert.Equal(7, RenderPaths.Resolve(reference, "interpolate", new RenderPathOptions { Frames = 7, Seconds = 2 }).Cameras.Count);
        Assert.Equal(4, RenderPaths.Resolve(reference, "test", new RenderPathOptions { Frames = 9 }).Cameras.Count);
        RenderPathCameras orbit = RenderPaths.Resolve(reference, "orbit", new RenderPathOptions { Frames = 5, Fps = 12 });
        Assert.Equal(12, orbit.Fps);
        Assert.Equal(5, orbit.Description!.Frames.Count);
        Assert.Throws<ArgumentException>(() => RenderPaths.Resolve(reference, "circle", new RenderPathOptions()));
    }

    [Fact]
    public void InterpolatePassesThroughTheTrainingCamerasInOrder()
    {
        DataParserOutput reference = Reference();
        const int perTransition = 5;
        RenderPathCameras path = RenderPaths.Resolve(reference, "interpolate", new RenderPathOptions { Frames = (3 * perTransition) + 1 });
        for (int k = 0; k < reference.Cameras.Count; k++)
        {
            Camera camera = path.Cameras[k * perTransition];
            CameraPathJsonTests.AssertPoseEqual(reference.Cameras[k].CameraToWorld, camera.CameraToWorld, 1e-9);
            Assert.Equal(30, camera.Intrinsics.Fy, 9);
            Assert.Equal((32, 24), (camera.Intrinsics.Width, camera.Intrinsics.Height));
        }
    }

    [Fact]
    public void ResolutionKeepsTheVerticalFieldOfViewAndDownscaleDivides()
    {
        DataParserOutput reference = Reference();
        Camera camera = RenderPaths.Resolve(reference, "orbit", new RenderPathOptions { Frames = 2, Resolution = (64, 36) }).Cameras[0];
        Assert.Equal((64, 36), (camera.Intrinsics.Width, camera.Intrinsics.Height));
        Assert.Equal(45, camera.Intrinsics.Fy, 12);
        Assert.Equal((32.0, 18.0), (camera.Intrinsics.Cx, camera.Intrinsics.Cy));
        Camera small = RenderPaths.Resolve(reference, "test", new RenderPathOptions { Downscale = 2 }).Cameras[0];
        Assert.Equal((16, 12, 15.0), (small.Intrinsics.Width, small.Intrinsics.Height, small.Intrinsics.Fy));
    }

    [Fact]
    public void CameraPathFilePosesAreTheRunsWorldFrame()
    {
        // A camera_path.json made from a training camera renders that camera: same pose, same focal at the same size.
        DataParserOutput reference = Reference();
        Camera train = reference.Cameras[1];
        var file = new CameraPath(32, 24, 10, 0.1)
        {
            Frames = [new CameraPathPose(train.CameraToWorld, CameraPathPose.VerticalFov(24, 30), 32.0 / 24)],
        };
        using var dir = new TempDirectory();
        string json = dir.Combine("camera_path.json");
        CameraPathJson.Write(json, file);
        RenderPathCameras path = RenderPaths.Resolve(reference, json, new RenderPathOptions());
        Assert.Equal("camera_path", path.Name);
        Assert.Equal(10, path.Fps);
        Camera camera = Assert.Single(path.Cameras);
        CameraPathJsonTests.AssertPoseEqual(train.CameraToWorld, camera.CameraToWorld, 1e-12);
        Assert.Equal(30, camera.Intrinsics.Fy, 9);
        Assert.Equal(30, camera.Intrinsics.Fx, 9);
        Assert.Equal((16.0, 12.0), (camera.Intrinsics.Cx, camera.Intrinsics.Cy));

        // The same camera exported from nerfstudio's frame comes back with its dataparser transform.
        var nerfstudio = new NerfstudioWorldTransform(new Pose([0, 0, 1, 0.3, 1, 0, 0, -2, 0, 1, 0, 1]), 0.25);
        CameraPathJson.Write(json, file with { Frames = [file.Frames[0] with { CameraToWorld = nerfstudio.FromDatasetFrame(train.CameraToWorld) }] });
        Camera mapped = Assert.Single(RenderPaths.Resolve(reference, json, new RenderPathOptions { NerfstudioTransform = nerfstudio }).Cameras);
        CameraPathJsonTests.AssertPoseEqual(train.CameraToWorld, mapped.CameraToWorld, 1e-12);
    }

    [Fact]
    public void OutputsParseFromTheCommandLineList()
    {
        Assert.Equal(RenderOutputs.Rgb | RenderOutputs.Depth | RenderOutputs.Accumulation, RenderOutputsExtensions.Parse("rgb,depth,accumulation"));
        Assert.Equal(RenderOutputs.Disparity | RenderOutputs.Accumulation, RenderOutputsExtensions.Parse(" disp , acc "));
        Assert.Contains("normals", Assert.Throws<ArgumentException>(() => RenderOutputsExtensions.Parse("rgb,normals")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RenderOutputsExtensions.Parse(","));
    }
}
