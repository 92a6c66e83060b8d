using System.Text.Json;
using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Data;

/// <summary>BlenderParser on the shared lego scenes and on broken datasets made in a temp folder.</summary>
public sealed class BlenderParserTests
{
    private const double LegoCameraAngleX = 0.6911112070083618;

    private static string Lego400 => SharedData.Data("nerf_synthetic", "lego_400");

    [Fact]
    public void LoadsLego400TrainOverWhite()
    {
        DataParserOutput data = BlenderParser.Load(Lego400, "train", new BlenderOptions(TestSkip: 8));
        Assert.Equal(100, data.Count);
        Assert.Equal(100, data.Cameras.Count);
        Assert.Equal((2f, 6f, BackgroundColor.White), (data.Near, data.Far, data.Background));
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal((400, 400, 3), (data.Images[i].Width, data.Images[i].Height, data.Images[i].Channels));
            Assert.Equal(Path.GetFullPath(Path.Combine(Lego400, "train", $"r_{i}.png")), data.ImagePaths[i]);
        }

        var k = data.Cameras[0].Intrinsics;
        double focal = 0.5 * 400 / Math.Tan(0.5 * LegoCameraAngleX);
        Assert.Equal((400, 400, focal, focal, 200.0, 200.0), (k.Width, k.Height, k.Fx, k.Fy, k.Cx, k.Cy));

        // frames[0].transform_matrix of transforms_train.json.
        var pose = data.Cameras[0].CameraToWorld;
        Assert.Equal(-0.9999021887779236, pose[0, 0]);
        Assert.Equal(-0.05379832163453102, pose[0, 3]);
        Assert.Equal(3.845470428466797, pose[1, 3]);
        Assert.Equal(0.9540371894836426, pose[2, 1]);
        Assert.Equal(1.2080823183059692, pose[2, 3]);

        // The corner of r_0 is fully transparent: white after compositing.
        Image first = data.Images[0];
        Assert.Equal([1f, 1f, 1f], first.Pixels.AsSpan(0, 3).ToArray());

        // Every pixel is rgb * a + (1 - a) of the decoded RGBA image.
        Image rgba = PngDecoder.ReadImage(data.ImagePaths[0]);
        var expected = new float[400 * 400 * 3];
        for (int p = 0; p < 400 * 400; p++)
        {
            float a = rgba.Pixels[(4 * p) + 3];
            for (int c = 0; c < 3; c++)
            {
                expected[(3 * p) + c] = (rgba.Pixels[(4 * p) + c] * a) + (1f - a);
            }
        }

        Assert.True(expected.AsSpan().SequenceEqual(first.Pixels), "composite differs from rgb * a + (1 - a)");
    }

    [Fact]
    public void TestSkipThinsValButNotTrain()
    {
        DataParserOutput val = BlenderParser.Load(Lego400, "val", new BlenderOptions(TestSkip: 8, Background: BackgroundColor.Black));
        Assert.Equal(13, val.Count);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Lego400, "transforms_val.json")));
        var frames = json.RootElement.GetProperty("frames");
        for (int i = 0; i < 13; i++)
        {
            var frame = frames[8 * i];
            Assert.Equal(Path.GetFullPath(Path.Combine(Lego400, frame.GetProperty("file_path").GetString()! + ".png")), val.ImagePaths[i]);
            var matrix = frame.GetProperty("transform_matrix");
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 4; c++)
                {
                    Assert.Equal(matrix[r][c].GetDouble(), val.Cameras[i].CameraToWorld[r, c]);
                }
            }
        }

        // Over black, the transparent corner is black.
        Assert.Equal(BackgroundColor.Black, val.Background);
        Assert.Equal([0f, 0f, 0f], val.Images[0].Pixels.AsSpan(0, 3).ToArray());
    }

    [Fact]
    public void HalfResAveragesBeforeCompositingAndHalvesFocal()
    {
        DataParserOutput half = BlenderParser.Load(Lego400, "val", new BlenderOptions(HalfRes: true, TestSkip: 50));
        Assert.Equal(2, half.Count);
        Image image = half.Images[1];
        Assert.Equal((200, 200, 3), (image.Width, image.Height, image.Channels));
        var k = half.Cameras[1].Intrinsics;
        double focal = 0.25 * 400 / Math.Tan(0.5 * LegoCameraAngleX);
        Assert.Equal((200, 200, focal, 100.0, 100.0), (k.Width, k.Height, k.Fx, k.Cx, k.Cy), new ToleranceComparer());

        Image full = PngDecoder.ReadImage(Path.Combine(Lego400, "val", "r_50.png"));
        foreach (var (x, y) in new[] { (0, 0), (100, 100), (57, 143), (199, 199), (120, 80) })
        {
            double alpha = BoxMean(full, x, y, 3);
            for (int c = 0; c < 3; c++)
            {
                double expected = (BoxMean(full, x, y, c) * alpha) + (1 - alpha);
                Assert.Equal(expected, image[x, y, c], 5);
            }
        }
    }

    [Fact]
    public void LoadsFullResolutionLegoFramesAndReportsAMissingSplit()
    {
        string lego = SharedData.Data("nerf_synthetic", "lego");
        Assert.Equal(["train"], BlenderParser.AvailableSplits(lego));
        Assert.Equal(["train", "val"], BlenderParser.AvailableSplits(Lego400));

        var e = Assert.Throws<DataFormatException>(() => BlenderParser.Load(lego, "val", new BlenderOptions()));
        Assert.Equal(Path.Combine(lego, "transforms_val.json"), e.FilePath);
        Assert.Contains("transforms_train.json", e.Problem);
        Assert.Contains("splits: train", e.Problem);

        // Three frames of the 800x800 scene, through a small transforms file with absolute image paths.
        using var temp = new TempDataset();
        using (var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(lego, "transforms_train.json"))))
        {
            var frames = json.RootElement.GetProperty("frames").EnumerateArray().Take(3).Select(f => new
            {
                file_path = Path.Combine(lego, f.GetProperty("file_path").GetString()!),
                transform_matrix = JsonSerializer.Deserialize<double[][]>(f.GetProperty("transform_matrix").GetRawText()),
            });
            temp.WriteJson("transforms_train.json", new { camera_angle_x = json.RootElement.GetProperty("camera_angle_x").GetDouble(), frames });
        }

        DataParserOutput data = BlenderParser.Load(temp.Path, "train", new BlenderOptions());
        Assert.Equal(3, data.Count);
        Assert.All(data.Images, image => Assert.Equal((800, 800, 3), (image.Width, image.Height, image.Channels)));
        Assert.Equal(0.5 * 800 / Math.Tan(0.5 * LegoCameraAngleX), data.Cameras[2].Intrinsics.Fx);
        Assert.Equal(Path.GetFullPath(Path.Combine(lego, "train", "r_2.png")), data.ImagePaths[2]);
    }

    [Fact]
    public void PixelCentreOptionMovesRaysHalfAPixel()
    {
        using var temp = new TempDataset();
        temp.WritePng("images/a.png", new Image(6, 4, 3));
        temp.WriteJson("transforms_test.json", Transforms(("images/a", Matrix(1))));
        DataParserOutput corners = BlenderParser.Load(temp.Path, "test", new BlenderOptions());
        DataParserOutput centres = BlenderParser.Load(temp.Path, "test", new BlenderOptions(PixelCenter: NerfSharp.Cameras.PixelCenter.Center));
        Assert.Equal(NerfSharp.Cameras.PixelCenter.Corner, corners.Cameras[0].PixelCenter);

        // The centre ray of pixel (2, 1) is the corner convention's ray through (2.5, 1.5).
        var a = centres.RayFor(0, 2, 1);
        var b = corners.RayFor(0, 2.5, 1.5);
        Assert.Equal(b.DirX, a.DirX, 12);
        Assert.Equal(b.DirY, a.DirY, 12);
        Assert.Equal(b.DirZ, a.DirZ, 12);
        Assert.NotEqual(corners.RayFor(0, 2, 1).DirX, a.DirX);
    }

    [Fact]
    public void RgbImagesPassThrough()
    {
        using var temp = new TempDataset();
        var image = new Image(6, 4, 3);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (i % 7) / 6f;
        }

        temp.WritePng("images/a.png", image);
        temp.WriteJson("transforms_test.json", Transforms(("images/a", Matrix(1))));
        DataParserOutput data = BlenderParser.Load(temp.Path, "test", new BlenderOptions(TestSkip: 4));
        Assert.Equal(1, data.Count);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            Assert.Equal(MathF.Round(image.Pixels[i] * 255f) / 255f, data.Images[0].Pixels[i]);
        }
    }

    [Fact]
    public void BadDatasetsNameTheFileAndTheProblem()
    {
        using var temp = new TempDataset();
        temp.WritePng("a.png", new Image(4, 4, 4));
        temp.WritePng("b.png", new Image(4, 4, 4));
        temp.WritePng("small.png", new Image(4, 3, 4));
        string json = Path.Combine(temp.Path, "transforms_train.json");

        File.WriteAllText(json, "{ \"camera_angle_x\": 0.7, \"frames\": [ ");
        Assert.Contains("malformed JSON", Expect(temp, json).Problem);

        temp.WriteJson("transforms_train.json", new { frames = Array.Empty<int>() });
        Assert.Contains("missing key 'camera_angle_x'", Expect(temp, json).Problem);

        temp.WriteJson("transforms_train.json", new { camera_angle_x = 0.7 });
        Assert.Contains("missing key 'frames'", Expect(temp, json).Problem);

        temp.WriteJson("transforms_train.json", new { camera_angle_x = 0.7, frames = new[] { new { file_path = "a" } } });
        Assert.Contains("frames[0]: missing key 'transform_matrix'", Expect(temp, json).Problem);

        temp.WriteJson("transforms_train.json", new { camera_angle_x = 0.7, frames = new[] { new { file_path = "a", transform_matrix = new[] { new[] { 1.0 } } } } });
        Assert.Contains("frames[0].transform_matrix is not a 4x4 array", Expect(temp, json).Problem);

        temp.WriteJson("transforms_train.json", Transforms(("a", Matrix(1)), ("missing", Matrix(2))));
        var missing = Expect(temp, Path.Combine(temp.Path, "missing.png"));
        Assert.Contains("frames[1]", missing.Problem);
        Assert.Contains("does not exist", missing.Problem);

        temp.WriteJson("transforms_train.json", Transforms(("a", Matrix(1)), ("b", Matrix(2)), ("small", Matrix(3))));
        Assert.Contains("is 4x3 but", Expect(temp, Path.Combine(temp.Path, "small.png")).Problem);

        byte[] png = File.ReadAllBytes(Path.Combine(temp.Path, "b.png"));
        File.WriteAllBytes(Path.Combine(temp.Path, "b.png"), png.AsSpan(0, png.Length - 20).ToArray());
        temp.WriteJson("transforms_train.json", Transforms(("a", Matrix(1)), ("b", Matrix(2))));
        Assert.Contains("truncated", Expect(temp, Path.Combine(temp.Path, "b.png")).Problem);

        Assert.Throws<ArgumentOutOfRangeException>(() => BlenderParser.Load(temp.Path, "train", new BlenderOptions(TestSkip: -1)));
        Assert.Equal(Path.Combine(temp.Path, "transforms_val.json"), Expect(temp, Path.Combine(temp.Path, "transforms_val.json"), "val").FilePath);
        Assert.Throws<DataFormatException>(() => BlenderParser.AvailableSplits(Path.Combine(temp.Path, "nope")));
    }

    private static DataFormatException Expect(TempDataset temp, string file, string split = "train")
    {
        var e = Assert.Throws<DataFormatException>(() => BlenderParser.Load(temp.Path, split, new BlenderOptions()));
        Assert.Equal(file, e.FilePath);
        Assert.StartsWith(file + ": ", e.Message);
        return e;
    }

    private static object Transforms(params (string File, double[][] Matrix)[] frames) =>
        new { camera_angle_x = 0.7, frames = frames.Select(f => new { file_path = f.File, transform_matrix = f.Matrix }) };

    private static double[][] Matrix(double tx) => [[1, 0, 0, tx], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];

    private static double BoxMean(Image image, int x, int y, int c) =>
        ((double)image[2 * x, 2 * y, c] + image[(2 * x) + 1, 2 * y, c] + image[2 * x, (2 * y) + 1, c] + image[(2 * x) + 1, (2 * y) + 1, c]) / 4;

    /// <summary>Compares tuples of intrinsics with a relative tolerance on the doubles.</summary>
    private sealed class ToleranceComparer : IEqualityComparer<(int, int, double, double, double)>
    {
        public bool Equals((int, int, double, double, double) a, (int, int, double, double, double) b) =>
            a.Item1 == b.Item1 && a.Item2 == b.Item2 && Close(a.Item3, b.Item3) && Close(a.Item4, b.Item4) && Close(a.Item5, b.Item5);

        public int GetHashCode((int, int, double, double, double) obj) => 0;

        private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-12 * Math.Max(1, Math.Abs(b));
    }

    /// <summary>A temporary dataset folder, deleted on dispose.</summary>
    private sealed class TempDataset : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("nerfsharp-blender-").FullName;

        public void WriteJson(string name, object value) =>
            File.WriteAllText(System.IO.Path.Combine(Path, name), JsonSerializer.Serialize(value));

        public void WritePng(string name, Image image)
        {
            string full = System.IO.Path.Combine(Path, name);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            PngEncoder.Write(full, image);
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
