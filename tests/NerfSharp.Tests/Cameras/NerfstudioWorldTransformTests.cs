using NerfSharp.Cameras;
using NerfSharp.Numerics;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cameras;

public class NerfstudioWorldTransformTests
{
    [Fact]
    public void MapsNerfstudioFramePosesBackToTheDatasetFrame()
    {
        // A quarter turn about z, then +1 along x, then scale 0.5 (as dataparser_transforms.json stores it).
        using var dir = new TempDirectory();
        string file = dir.Combine("dataparser_transforms.json");
        File.WriteAllText(file, """{"transform": [[0, -1, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]], "scale": 0.5}""");
        NerfstudioWorldTransform t = NerfstudioWorldTransform.Read(file);

        // Dataset pose: identity rotation at (2, 0, 0). nerfstudio: rotation Rz(90), centre 0.5 * ((0, 2, 0) + (1, 0, 0)).
        var dataset = new Pose([1, 0, 0, 2, 0, 1, 0, 0, 0, 0, 1, 0]);
        Pose ns = t.FromDatasetFrame(dataset);
        CameraPathJsonTests.AssertPoseEqual(new Pose([0, -1, 0, 0.5, 1, 0, 0, 1, 0, 0, 1, 0]), ns, 1e-12);
        CameraPathJsonTests.AssertPoseEqual(dataset, t.ToDatasetFrame(ns), 1e-12);
    }

    [Theory]
    [InlineData("""{"transform": [[1, 0, 0, 0]], "scale": 1}""", "3x4")]
    [InlineData("""{"transform": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], "scale": 0}""", "'scale' must be positive")]
    [InlineData("""{"scale": 1}""", "'transform'")]
    [InlineData("""{"transform": """, "malformed JSON")]
    public void BadFilesNameTheFile(string json, string problem)
    {
        using var dir = new TempDirectory();
        string file = dir.Combine("dataparser_transforms.json");
        File.WriteAllText(file, json);
        var e = Assert.Throws<DataFormatException>(() => NerfstudioWorldTransform.Read(file));
        Assert.Equal(file, e.FilePath);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }
}
