using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NerfSharp.Data.Demo;
using NerfSharp.Tests.Cli;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Export;

/// <summary>A tiny ngp run of the demo scene, trained once for the export tests.</summary>
public sealed class TrainedDemoRunFixture : IDisposable
{
    private readonly TempDirectory dir = new("nerf-export");

    public TrainedDemoRunFixture()
    {
        SceneDir = dir.Combine("scene");
        string scene = SceneDir;
        DemoSceneGenerator.Generate(scene, new DemoSceneOptions(Width: 48, Height: 48, TrainViews: 24, ValViews: 1, TestViews: 1));
        RunDir = dir.Combine("run");
        var train = CliRunner.Run(["train", "--data", scene, "--out", RunDir, "--steps", "600", "--log-every", "200", .. CliRunner.TinyNgpFlags]);
        Assert.True(train.ExitCode == 0, train.Error + train.Out);
    }

    public string RunDir { get; }

    public string SceneDir { get; }

    public void Dispose() => dir.Dispose();
}

/// <summary>
/// <c>nerf export</c> on a trained demo run: the .glb passes the Khronos validator and spans the demo scene's known
/// geometry, PLY and OBJ read back, point-cloud points lie on the scene's surfaces, and bad input gives one sentence.
/// </summary>
public sealed class ExportEndToEndTests : IClassFixture<TrainedDemoRunFixture>
{
    private readonly TrainedDemoRunFixture run;

    public ExportEndToEndTests(TrainedDemoRunFixture run) => this.run = run;

    [Fact]
    public void GlbPassesTheKhronosValidatorAndSpansTheDemoScene()
    {
        using var dir = new TempDirectory();
        string glb = dir.Combine("demo.glb");
        var export = CliRunner.Run("export", "mesh", "--run", run.RunDir, "--format", "glb", "--out", glb, "--resolution", "64");
        Assert.True(export.ExitCode == 0, export.Error + export.Out);

        JsonElement report = GltfValidator.Validate(glb);
        JsonElement issues = report.GetProperty("issues");
        Assert.True(issues.GetProperty("numErrors").GetInt32() == 0, issues.ToString());
        Assert.True(issues.GetProperty("numWarnings").GetInt32() == 0, issues.ToString());
        Assert.True(report.GetProperty("info").GetProperty("totalTriangleCount").GetInt32() > 1000, report.ToString());

        // The bounds an engine reads (the POSITION accessor's min and max) against the scene: the ground disc (radius 1.1
        // at z = 0) spans x and y, the sphere's top (z = 1.0) is the highest point.
        JsonElement gltf = GlbJson(glb);
        JsonElement primitive = gltf.GetProperty("meshes")[0].GetProperty("primitives")[0];
        Assert.True(primitive.GetProperty("attributes").TryGetProperty("NORMAL", out _));
        Assert.True(primitive.GetProperty("attributes").TryGetProperty("COLOR_0", out _));
        JsonElement position = gltf.GetProperty("accessors")[primitive.GetProperty("attributes").GetProperty("POSITION").GetInt32()];
        double[] min = position.GetProperty("min").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double[] max = position.GetProperty("max").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        string bounds = $"({string.Join(", ", min)}) .. ({string.Join(", ", max)})";
        double r = DemoScene.GroundRadius;
        Assert.True(Math.Abs(min[0] + r) < 0.15 && Math.Abs(max[0] - r) < 0.15, bounds);
        Assert.True(Math.Abs(min[1] + r) < 0.15 && Math.Abs(max[1] - r) < 0.15, bounds);
        Assert.True(Math.Abs(max[2] - (DemoScene.SphereCenter.Z + DemoScene.SphereRadius)) < 0.15, bounds);
        Assert.True(min[2] > -0.35 && min[2] < 0.05, bounds);
    }

    [Fact]
    public void PlyAndObjMeshesReadBackAndAgree()
    {
        using var dir = new TempDirectory();
        string ply = dir.Combine("demo.ply"), obj = dir.Combine("demo.obj");
        var a = CliRunner.Run("export", "mesh", "--run", run.RunDir, "--out", ply, "--resolution", "48");
        Assert.True(a.ExitCode == 0, a.Error + a.Out);
        var b = CliRunner.Run("export", "mesh", "--run", run.RunDir, "--out", obj, "--resolution", "48");
        Assert.True(b.ExitCode == 0, b.Error + b.Out);

        var plyMesh = PlyReader.Read(ply);
        var objMesh = ObjReader.Read(obj);
        Assert.True(plyMesh.Faces.Count > 100);
        Assert.Equal(plyMesh.Vertices.Count, objMesh.Vertices.Count);
        Assert.Equal(plyMesh.Faces.SelectMany(f => f), objMesh.Faces.SelectMany(f => f));
        for (int v = 0; v < plyMesh.Vertices.Count; v++)
        {
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(plyMesh.Vertices[v][k], objMesh.Vertices[v][k]);
                Assert.InRange(plyMesh.Vertices[v][6 + k] - (objMesh.Vertices[v][3 + k] * 255), -1, 1); // OBJ keeps 4 decimals
            }
        }

        // The exported surface is closed and consistently wound (capped where it would leave the box).
        var read = new NerfSharp.Export.TriangleMesh(
            plyMesh.Vertices.SelectMany(p => p[..3]).ToArray(), plyMesh.Faces.SelectMany(f => f).ToArray());
        MeshChecks.AssertClosedAndConsistentlyOriented(read, "exported demo mesh");
        Assert.True(MeshChecks.SignedVolume(read) > 0);

        // Nearly every vertex lies near the scene's surfaces (the threshold surface sits a little off them; floaters are
        // removed). Measured: 89% of them within 0.15 after 600 steps of the tiny model with in-pixel jitter.
        var near = plyMesh.Vertices.Count(p => DemoSurfaces.Distance(p[0], p[1], p[2]) < 0.15);
        Assert.True(near > 0.85 * plyMesh.Vertices.Count, $"{near} of {plyMesh.Vertices.Count} vertices within 0.15 of a surface");
    }

    [Fact]
    public void PointCloudPointsLieOnTheDemoSurfaces()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("points.ply");
        var export = CliRunner.Run("export", "pointcloud", "--run", run.RunDir, "--points", "3000", "--out", path);
        Assert.True(export.ExitCode == 0, export.Error + export.Out);
        var ply = PlyReader.Read(path);
        Assert.Equal(["x", "y", "z", "nx", "ny", "nz", "red", "green", "blue"], ply.VertexProperties);
        Assert.Equal(3000, ply.Vertices.Count);
        double[] distances = ply.Vertices.Select(p => DemoSurfaces.Distance(p[0], p[1], p[2])).Order().ToArray();
        Assert.True(distances[distances.Length / 2] < 0.05, $"median distance {distances[distances.Length / 2]}");
        Assert.True(distances[(int)(0.9 * distances.Length)] < 0.15, $"90th percentile distance {distances[(int)(0.9 * distances.Length)]}");

        // Normals are unit vectors, and points on the ground (z near 0, inside the disc, away from the objects) face up.
        int up = 0, ground = 0;
        foreach (float[] p in ply.Vertices)
        {
            Assert.Equal(1, Math.Sqrt((p[3] * p[3]) + (p[4] * p[4]) + (p[5] * p[5])), 3);
            if (Math.Abs(p[2]) < 0.08 && Math.Sqrt((p[0] * p[0]) + (p[1] * p[1])) < 1.0 && DemoSurfaces.Distance(p[0], p[1], p[2] + 0.3) > 0.25)
            {
                ground++;
                up += p[5] > 0.5 ? 1 : 0;
            }
        }

        Assert.True(ground > 30 && up > 0.8 * ground, $"{up} of {ground} ground points have upward normals");
    }

    [Fact]
    public void BadInputGivesOneSentenceAndExitCodeOne()
    {
        using var dir = new TempDirectory();
        string empty = dir.Combine("untrained");
        Directory.CreateDirectory(empty);
        File.Copy(Path.Combine(run.RunDir, "config.json"), Path.Combine(empty, "config.json"));

        var noCheckpoint = CliRunner.Run("export", "mesh", "--run", empty, "--out", dir.Combine("m.glb"));
        Assert.Equal(1, noCheckpoint.ExitCode);
        Assert.Contains("no checkpoint", noCheckpoint.Error, StringComparison.Ordinal);

        var badBox = CliRunner.Run("export", "mesh", "--run", run.RunDir, "--out", dir.Combine("m.glb"), "--bbox", "1,2,3");
        Assert.Equal(1, badBox.ExitCode);
        Assert.Contains("--bbox expects six comma-separated numbers", badBox.Error, StringComparison.Ordinal);

        var inverted = CliRunner.Run("export", "mesh", "--run", run.RunDir, "--out", dir.Combine("m.glb"), "--bbox", "1,0,0,0,1,1");
        Assert.Equal(1, inverted.ExitCode);
        Assert.Contains("x1 > x0", inverted.Error, StringComparison.Ordinal);

        var badFormat = CliRunner.Run("export", "mesh", "--run", run.RunDir, "--out", dir.Combine("m.fbx"), "--format", "fbx");
        Assert.Equal(1, badFormat.ExitCode);
        Assert.Contains("fbx", badFormat.Error, StringComparison.Ordinal);

        var missingRun = CliRunner.Run("export", "pointcloud", "--out", dir.Combine("p.ply"));
        Assert.Equal(1, missingRun.ExitCode);
        Assert.Contains("--run", missingRun.Error, StringComparison.Ordinal);

        var help = CliRunner.Run("export", "mesh", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Examples:", help.Out, StringComparison.Ordinal);
        Assert.Contains("nerf export mesh --run", help.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("m.glb")));
    }

    /// <summary>The JSON chunk of a .glb file.</summary>
    private static JsonElement GlbJson(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(0x46546C67u, BinaryPrimitives.ReadUInt32LittleEndian(bytes)); // "glTF"
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        Assert.Equal(0x4E4F534Au, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16))); // "JSON"
        return JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 20, length)).RootElement;
    }
}
