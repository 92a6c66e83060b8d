using System.Buffers.Binary;
using System.Text;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Data.Demo;
using NerfSharp.Imaging;
using NerfSharp.IO;
using NerfSharp.Parameters;
using NerfSharp.Tests.Imaging;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Fuzzing;

/// <summary>
/// Every parser of user files over a few hundred seeded mutations of valid files (bit flips, truncations, huge
/// size fields, wrong-typed values): each input is accepted or rejected with a DataFormatException naming the
/// file, never another exception, a hang (time limit per input) or an allocation beyond a bound.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);
    private readonly TempDirectory dir = new("nerf-fuzz");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void PngFiles()
    {
        byte[][] seeds = PngSeeds();
        FuzzHarness.Run("PNG decoder", 101, (i, rng, name) =>
        {
            string source = $"fuzz_{i}.png";
            name(source);
            byte[] seed = seeds[i % seeds.Length];
            byte[] input = (i / seeds.Length % 4) switch
            {
                0 => Mutator.MutateBytes(seed, rng),
                1 => FixCrcs(Mutator.MutateBytes(seed, rng)),
                2 => FixCrcs(HugeHeader(seed, rng)),
                _ => FixCrcs(MutateImageData(seed, rng)),
            };
            PngDecoder.Decode(input, source).ToImage();
        }, Limit, maxBytes: 32 << 20);
    }

    [Fact]
    public void PngWithAHugeDeclaredSizeIsRejectedWithoutAllocatingIt()
    {
        // A 16x16 image whose IHDR (CRC fixed) claims 30000x30000 RGBA: 3.6 GB of samples from a 1 KB file.
        byte[] png = PngEncoder.Encode(RandomImage(16, 16, 4, 3));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 30000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 30000);
        FixCrcs(png);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => NerfSharp.Imaging.PngDecoder.Decode(png, "huge.png"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (8 << 20), $"allocated {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
        Assert.Contains("huge.png", e.Message);
        Assert.Contains("30000x30000", e.Message); // the problem names the declared size
    }

    [Fact]
    public void BlenderTransformsJson()
    {
        string data = dir.Combine("scene");
        DemoSceneGenerator.Generate(data, new DemoSceneOptions(Width: 8, Height: 8, TrainViews: 3, ValViews: 1, TestViews: 1));
        string json = Path.Combine(data, "transforms_train.json");
        string seed = File.ReadAllText(json);
        FuzzHarness.Run("Blender transforms JSON", 202, (i, rng, name) =>
        {
            name(data);
            File.WriteAllText(json, Mutator.MutateText(seed, rng));
            BlenderParser.Load(data, "train", new BlenderOptions());
        }, Limit, maxBytes: 64 << 20); // per thread: the JSON is read on this thread (the whole process's count picks up other tests)
    }

    [Theory]
    [InlineData("{\"camera_angle_x\": 0.7, \"frames\": [{\"file_path\": \"./train/r_\\u0000\", \"transform_matrix\": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}]}")]
    [InlineData("{\"camera_angle_x\": 0.7, \"frames\": [{\"file_path\": \"./train/r_0\", \"transform_matrix\": [[1e400,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}]}")]
    [InlineData("{\"camera_angle_x\": 0.7, \"frames\": [{\"file_path\": \"./train/r_0\", \"transform_matrix\": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}], \"frames\": []}")]
    [InlineData("{\"camera_angle_x\": 0.7, \"frames\": [{\"file_path\": \"./train/\", \"transform_matrix\": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}]}")]
    public void BlenderHandPickedInputs(string text)
    {
        string data = dir.Combine("picked");
        DemoSceneGenerator.Generate(data, new DemoSceneOptions(Width: 8, Height: 8, TrainViews: 1, ValViews: 1, TestViews: 1));
        string json = Path.Combine(data, "transforms_train.json");
        File.WriteAllText(json, text);
        var e = Assert.Throws<DataFormatException>(() => BlenderParser.Load(data, "train", new BlenderOptions()));
        Assert.Contains(data, e.Message);
    }

    [Fact]
    public void NerfstudioCameraPathJson()
    {
        string seed = NerfSharp.Tests.Cameras.CameraPathJsonTests.Sample;
        FuzzHarness.Run("nerfstudio camera_path.json", 303, (i, rng, name) =>
        {
            string source = $"fuzz_camera_path_{i}.json";
            name(source);
            NerfSharp.Cameras.CameraPathJson.Parse(Mutator.MutateText(seed, rng), source).Resolve(frames: 3);
        }, Limit, maxBytes: 16 << 20);
    }

    [Fact]
    public void NerfPytorchConfigFiles()
    {
        string[] seeds =
        [
            "expname = blender_paper_lego\nbasedir = ./logs\ndatadir = ./data/nerf_synthetic/lego\ndataset_type = blender\n\nno_batching = True\n\nuse_viewdirs = True\nwhite_bkgd = True\nlrate_decay = 500\n\nN_samples = 64\nN_importance = 128\nN_rand = 1024\n\nprecrop_iters = 500\nprecrop_frac = 0.5\n\nhalf_res = True\n",
            "expname = fern_test\nbasedir = ./logs\ndatadir = ./data/llff/fern\ndataset_type = llff\n\nfactor = 8\nllffhold = 8\n\nN_rand = 1024\nN_samples = 64\nN_importance = 64\n\nuse_viewdirs = True\nraw_noise_std = 1e0\n",
            "# a comment\nexpname: colon_form\nN_samples 32\nlrate=1e-3   # inline\nwhite_bkgd\nhalf_res = false\nperturb = 0.\ndatadir = \"./data/with space\"\nseed = 42\nN_iters = 3000\n",
        ];
        string path = dir.Combine("fuzz.txt");
        FuzzHarness.Run("nerf-pytorch config", 303, (i, rng, name) =>
        {
            name(path);
            File.WriteAllText(path, Mutator.MutateText(seeds[i % seeds.Length], rng));
            NerfSharp.Configuration.NerfPytorchConfigFile.Load(path);
        }, Limit, maxBytes: 16 << 20);
    }

    [Fact]
    public void SafetensorsCheckpoint()
    {
        var (store, adam) = SmallModel();
        string seedPath = dir.Combine("seed.safetensors");
        Checkpoint.Save(seedPath, store, adam, 42, new Dictionary<string, string> { ["note"] = "fuzz seed", ["trainer_rng"] = "0123456789abcdef" });
        byte[] seed = File.ReadAllBytes(seedPath);
        string path = dir.Combine("fuzz.safetensors");
        FuzzHarness.Run("safetensors checkpoint", 404, (i, rng, name) =>
        {
            name(path);
            byte[] input = (i % 3) switch
            {
                0 => Mutator.MutateBytes(seed, rng),
                1 => MutateHeader(seed, rng),
                _ => HugeHeaderLength(seed, rng),
            };
            SafetensorsFile.Parse(input, path);
            File.WriteAllBytes(path, input);
            var (s, a) = SmallModel();
            Checkpoint.Load(path, s, a);
        }, Limit, maxBytes: 16 << 20);
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],\"data_offsets\":[0,0]}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,-5],\"data_offsets\":[0,0]}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}")]
    [InlineData("{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"a\":[]}")]
    [InlineData("[]")]
    [InlineData("{\"__metadata__\":{\"step\":{\"x\":1}}}")]
    public void SafetensorsHandPickedHeaders(string header)
    {
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        try
        {
            var file = SafetensorsFile.Parse(bytes, "picked.safetensors");
            foreach (var t in file.Tensors)
            {
                Assert.True(t.ElementCount >= 0 && t.ElementCount * 4 <= bytes.Length, $"accepted tensor {t.Name} of {t.ElementCount} elements");
            }
        }
        catch (DataFormatException e)
        {
            Assert.Contains("picked.safetensors", e.Message);
        }
    }

    private static (ParameterStore Store, Adam Adam) SmallModel()
    {
        var store = new ParameterStore();
        store.Add("coarse.pts_linears.0.weight", [4, 3], "coarse");
        store.Add("coarse.pts_linears.0.bias", [4], "coarse");
        store.Add("fine.rgb_linear.weight", [3, 2], "fine");
        store.Freeze();
        var rng = new Random(5);
        for (int i = 0; i < store.Count; i++)
        {
            store.Values[i] = (float)rng.NextDouble();
        }

        return (store, new Adam(store, new AdamConfig()));
    }

    private static Image RandomImage(int width, int height, int channels, int seed)
    {
        var rng = new Random(seed);
        var image = new Image(width, height, channels);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (float)rng.NextDouble();
        }

        return image;
    }

    private static byte[][] PngSeeds()
    {
        var rng = new Random(9);
        int[] Samples(int w, int h, int spp, int max) => Enumerable.Range(0, w * h * spp).Select(_ => rng.Next(max + 1)).ToArray();
        return
        [
            PngEncoder.Encode(RandomImage(16, 16, 3, 1)),
            PngEncoder.Encode(RandomImage(12, 9, 4, 2)),
            PngEncoder.Encode16(RandomImage(7, 5, 3, 3)),
            TestPngWriter.Write(13, 11, Samples(13, 11, 1, 1), new PngFixtureFormat(0, 1, Interlaced: true)),
            TestPngWriter.Write(10, 6, Samples(10, 6, 2, 255), new PngFixtureFormat(4, 8, IdatChunkSize: 20, ExtraChunks: true)),
            TestPngWriter.Write(9, 9, Samples(9, 9, 1, 3), new PngFixtureFormat(3, 2, Palette: [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9], Transparency: [128, 7])),
            TestPngWriter.Write(6, 7, Samples(6, 7, 3, 65535), new PngFixtureFormat(2, 16, Interlaced: true, Stored: true)),
        ];
    }

    /// <summary>Recomputes every chunk's CRC so a mutation reaches the decoder past the CRC check.</summary>
    private static byte[] FixCrcs(byte[] png)
    {
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (length > png.Length - pos - 12)
            {
                break;
            }

            uint crc = TestPngWriter.BitwiseCrc32(png.AsSpan(pos + 4, 4 + (int)length).ToArray());
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(pos + 8 + (int)length), crc);
            pos += 12 + (int)length;
        }

        return png;
    }

    private static byte[] HugeHeader(byte[] seed, Random rng)
    {
        byte[] png = (byte[])seed.Clone();
        uint[] sizes = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 65535, 100_000, 1 << 20, (uint)rng.Next(1, 5000)];
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), sizes[rng.Next(sizes.Length)]);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), sizes[rng.Next(sizes.Length)]);
        if (rng.Next(2) == 0)
        {
            png[24] = (byte)new[] { 1, 2, 4, 8, 16, 3, 0, 255 }[rng.Next(8)]; // bit depth
            png[25] = (byte)rng.Next(8); // colour type
        }

        return png;
    }

    /// <summary>Mutates the bytes of the first IDAT chunk only (zlib stream and filtered rows), keeping the length field.</summary>
    private static byte[] MutateImageData(byte[] seed, Random rng)
    {
        byte[] png = (byte[])seed.Clone();
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (Encoding.ASCII.GetString(png, pos + 4, 4) == "IDAT" && length > 0)
            {
                for (int k = rng.Next(1, 6); k > 0; k--)
                {
                    png[pos + 8 + rng.Next(length)] ^= (byte)(1 << rng.Next(8));
                }

                break;
            }

            pos += 12 + length;
        }

        return png;
    }

    /// <summary>Mutates the JSON header as text and rebuilds the length field, so the JSON reader sees the damage.</summary>
    private static byte[] MutateHeader(byte[] seed, Random rng)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(seed);
        string header = Encoding.UTF8.GetString(seed, 8, headerLength);
        byte[] mutated = Encoding.UTF8.GetBytes(Mutator.MutateText(header, rng));
        var bytes = new byte[8 + mutated.Length + (seed.Length - 8 - headerLength)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)mutated.Length);
        mutated.CopyTo(bytes, 8);
        seed.AsSpan(8 + headerLength).CopyTo(bytes.AsSpan(8 + mutated.Length));
        return bytes;
    }

    private static byte[] HugeHeaderLength(byte[] seed, Random rng)
    {
        byte[] bytes = (byte[])seed.Clone();
        ulong[] lengths = [ulong.MaxValue, long.MaxValue, 1UL << 40, (ulong)seed.Length - 7, (ulong)seed.Length - 8, 0, 1, 0x8000_0000];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, lengths[rng.Next(lengths.Length)]);
        return bytes;
    }
}
