using System.Text;
using NerfSharp.Data;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Data;

/// <summary>Malformed, truncated and randomly mutated capture files: a <see cref="DataFormatException"/> naming the file, never a crash or hang.</summary>
public sealed class CaptureParserErrorTests
{
    private static readonly CaptureOptions AllCameras = new("all", LoadImages: false);

    [Theory]
    [InlineData("cameras.bin")]
    [InlineData("images.bin")]
    [InlineData("points3D.bin")]
    public void TruncatedColmapBinaryFilesNameTheFile(string file)
    {
        using var tmp = CopyModel("bonsai_3view");
        string path = tmp.Combine("sparse", "0", file);
        byte[] good = File.ReadAllBytes(path);
        foreach (int cut in new[] { 0, 4, 8, 20, good.Length / 3, good.Length - 1 })
        {
            File.WriteAllBytes(path, good[..cut]);
            var e = Assert.Throws<DataFormatException>(() => ColmapParser.Load(tmp.Path, new ColmapOptions(AllCameras)));
            Assert.Equal(path, e.FilePath);
        }

        File.WriteAllBytes(path, [.. good, 1, 2, 3]);
        Assert.Equal(path, Assert.Throws<DataFormatException>(() => ColmapParser.Load(tmp.Path, new ColmapOptions(AllCameras))).FilePath);
    }

    [Theory]
    [InlineData("cameras.txt", "1 FULL_OPENCV 10 10 1 2 3 4 5 6 7 8 9 10 11 12\n", "not supported")]
    [InlineData("cameras.txt", "1 PINHOLE 10 10 1 2 3\n", "parameters")]
    [InlineData("cameras.txt", "1 PINHOLE ten 10 1 2 3 4\n", "not an integer")]
    [InlineData("images.txt", "1 1 0 0 0 0 0 0 1\n\n", "IMAGE_ID")]
    [InlineData("images.txt", "1 1 0 0 0 0 0 nan 1 a.jpg\n\n", "finite")]
    [InlineData("images.txt", "1 1 0 0 0 0 0 0 7 a.jpg\n\n", "camera 7")]
    [InlineData("images.txt", "1 1 0 0 0 0 0 0 1 a.jpg\n1 2\n", "triples")]
    [InlineData("points3D.txt", "1 0 0 0 300 0 0 0.5\n", "colour")]
    public void MalformedColmapTextNamesTheFileAndLine(string file, string content, string message)
    {
        using var tmp = new TempDirectory("nerfsharp-colmap-txt");
        string sparse = tmp.Combine("sparse", "0");
        Directory.CreateDirectory(sparse);
        File.WriteAllText(Path.Combine(sparse, "cameras.txt"), "# comment\n1 PINHOLE 10 10 5 5 5 5\n");
        File.WriteAllText(Path.Combine(sparse, "images.txt"), "1 1 0 0 0 0 0 0 1 a.jpg\n\n");
        File.WriteAllText(Path.Combine(sparse, "points3D.txt"), string.Empty);
        File.WriteAllText(Path.Combine(sparse, file), content);
        var e = Assert.Throws<DataFormatException>(() => ColmapParser.Load(tmp.Path, new ColmapOptions(AllCameras)));
        Assert.Equal(Path.Combine(sparse, file), e.FilePath);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MutatedColmapBinaryFilesNeverCrash()
    {
        using var tmp = CopyModel("bonsai_3view");
        var rng = new Random(5);
        foreach (string file in new[] { "cameras.bin", "images.bin" })
        {
            string path = tmp.Combine("sparse", "0", file);
            byte[] good = File.ReadAllBytes(path);
            for (int k = 0; k < 150; k++)
            {
                byte[] bad = (byte[])good.Clone();
                for (int f = 0; f < 1 + rng.Next(3); f++)
                {
                    // Bias towards the headers, where the counts and ids are.
                    bad[rng.Next(rng.Next(2) == 0 ? Math.Min(200, bad.Length) : bad.Length)] = (byte)rng.Next(256);
                }

                File.WriteAllBytes(path, bad);
                try
                {
                    ColmapParser.Load(tmp.Path, new ColmapOptions(AllCameras));
                }
                catch (DataFormatException e)
                {
                    Assert.StartsWith(tmp.Path, e.FilePath, StringComparison.Ordinal);
                }
            }

            File.WriteAllBytes(path, good);
        }
    }

    [Theory]
    [InlineData("{", "malformed JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"fl_x\": 100}", "'frames'")]
    [InlineData("{\"fl_x\": 100, \"w\": 4, \"h\": 4, \"frames\": [{\"file_path\": \"a.png\"}]}", "transform_matrix")]
    [InlineData("{\"fl_x\": 100, \"w\": 4, \"h\": 4, \"frames\": [{\"file_path\": \"a.png\", \"transform_matrix\": [[1,0,0],[0,1,0],[0,0,1]]}]}", "array of 4 numbers")]
    [InlineData("{\"w\": 4, \"h\": 4, \"frames\": [{\"file_path\": \"a.png\", \"transform_matrix\": [[1,0,0,0],[0,1,0,0],[0,0,1,0]]}]}", "focal")]
    [InlineData("{\"fl_x\": \"big\", \"w\": 4, \"h\": 4, \"frames\": [{\"file_path\": \"a.png\", \"transform_matrix\": [[1,0,0,0],[0,1,0,0],[0,0,1,0]]}]}", "not a finite number")]
    [InlineData("{\"fl_x\": 9, \"w\": 4, \"h\": 4, \"camera_model\": \"FOV\", \"frames\": [{\"file_path\": \"a.png\", \"transform_matrix\": [[1,0,0,0],[0,1,0,0],[0,0,1,0]]}]}", "camera_model 'FOV'")]
    public void MalformedTransformsJsonNamesTheFile(string json, string message)
    {
        using var tmp = new TempDirectory("nerfsharp-ngp");
        string path = tmp.Combine("transforms.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<DataFormatException>(() => TransformsJsonParser.Load(tmp.Path, AllCameras));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MutatedTransformsJsonNeverCrashes()
    {
        string text = File.ReadAllText(SharedData.Data("instant_ngp", "fox", "transforms.json"));
        text = text[..text.IndexOf("\"frames\"", StringComparison.Ordinal)] + "\"frames\": [" + ExtractFirstFrame(text) + "]}";
        using var tmp = new TempDirectory("nerfsharp-ngp");
        string path = tmp.Combine("transforms.json");
        var rng = new Random(9);
        byte[] good = Encoding.UTF8.GetBytes(text);
        for (int k = 0; k < 300; k++)
        {
            byte[] bad = (byte[])good.Clone();
            for (int f = 0; f < 1 + rng.Next(3); f++)
            {
                const string alphabet = "0123456789.-e,[]{}\":a ";
                bad[rng.Next(bad.Length)] = (byte)alphabet[rng.Next(alphabet.Length)];
            }

            File.WriteAllBytes(path, rng.Next(4) == 0 ? bad[..rng.Next(bad.Length)] : bad);
            try
            {
                TransformsJsonParser.Load(tmp.Path, AllCameras);
            }
            catch (DataFormatException e)
            {
                Assert.StartsWith(tmp.Path, e.FilePath, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void LlffWithTheWrongShapeOrMissingImagesNamesTheFile()
    {
        using var tmp = new TempDirectory("nerfsharp-llff");
        string npy = tmp.Combine("poses_bounds.npy");
        byte[] fern = File.ReadAllBytes(SharedData.Data("nerf_llff_data", "fern", "poses_bounds.npy"));
        File.WriteAllBytes(npy, fern);
        var e = Assert.Throws<DataFormatException>(() => LlffParser.Load(tmp.Path, new LlffOptions(LoadImages: false)));
        Assert.Equal(npy, e.FilePath);
        Assert.Contains("images_8", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(npy, fern[..^100]);
        Assert.Contains("truncated", Assert.Throws<DataFormatException>(() => LlffParser.Load(tmp.Path, new LlffOptions(LoadImages: false))).Message, StringComparison.Ordinal);
    }

    private static string ExtractFirstFrame(string text)
    {
        int start = text.IndexOf('{', text.IndexOf("\"frames\"", StringComparison.Ordinal));
        int depth = 0;
        for (int i = start; i < text.Length; i++)
        {
            depth += text[i] == '{' ? 1 : text[i] == '}' ? -1 : 0;
            if (depth == 0)
            {
                return text[start..(i + 1)];
            }
        }

        return text[start..];
    }

    private static TempDirectory CopyModel(string scene)
    {
        var tmp = new TempDirectory("nerfsharp-colmap");
        string source = SharedData.Data("colmap", scene, "sparse", "0");
        Directory.CreateDirectory(tmp.Combine("sparse", "0"));
        foreach (string f in Directory.GetFiles(source))
        {
            File.Copy(f, tmp.Combine("sparse", "0", Path.GetFileName(f)));
        }

        return tmp;
    }
}
