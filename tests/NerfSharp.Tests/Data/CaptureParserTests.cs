using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.IO;
using NerfSharp.Numerics;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Data;

/// <summary>Fixture tests of the COLMAP, LLFF and transforms.json parsers on the shared captures, and format detection.</summary>
public sealed class CaptureParserTests
{
    private static readonly CaptureOptions AllCameras = new("all", LoadImages: false);

    [Fact]
    public void BeerColmapModelGivesThePosesAndBoundsOfItsPosesBoundsFile()
    {
        // poses_bounds.npy beside the model was written by LLFF's imgs2poses from it: same poses (LLFF axes), same
        // per-image depth percentiles of the sparse points, H W focal of the first camera.
        string dir = SharedData.Data("colmap", "beer");
        DataParserOutput colmap = ColmapParser.Load(dir, new ColmapOptions(AllCameras, Normalize: false));
        NpyArray llff = Npy.Read(Path.Combine(dir, "poses_bounds.npy"));
        Assert.Equal("colmap", colmap.Format);
        Assert.Equal(71, colmap.Count);
        Assert.Equal(llff.Shape[0], colmap.Count);
        for (int i = 0; i < colmap.Count; i++)
        {
            double[] pose = PoseConvention.ToLlff(colmap.Cameras[i].CameraToWorld);
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 4; c++)
                {
                    Assert.Equal(llff[i, (r * 5) + c], pose[(r * 4) + c], 1e-9);
                }
            }

            Assert.Equal(llff[i, 15], colmap.BoundsOf(i).Near, 1e-5 * llff[i, 15]);
            Assert.Equal(llff[i, 16], colmap.BoundsOf(i).Far, 1e-5 * llff[i, 16]);
            Assert.Equal(PixelCenter.Center, colmap.Cameras[i].PixelCenter);
        }

        var k = colmap.Cameras[0].Intrinsics;
        Assert.Equal((llff[0, 4], llff[0, 9], llff[0, 14]), (k.Height, k.Width, k.Fx));
        Assert.Equal(new PinholeIntrinsics(720, 1280, 1105.1327235097242, 1105.1327235097242, 360, 640), k);
        Assert.Equal(LensDistortion.SimpleRadial(0.05780360126098173), colmap.Cameras[0].Distortion);
        Assert.Equal(1124.0655014844833, colmap.Cameras[70].Intrinsics.Fx);
        Assert.EndsWith("0070.jpg", colmap.ImagePaths[70], StringComparison.Ordinal);
    }

    [Fact]
    public void BeerNormalisationCentresUprightsAndScales()
    {
        string dir = SharedData.Data("colmap", "beer");
        DataParserOutput raw = ColmapParser.Load(dir, new ColmapOptions(AllCameras, Normalize: false));
        DataParserOutput n = ColmapParser.Load(dir, new ColmapOptions(AllCameras));
        Assert.Equal(1.1722747194128207, n.WorldScale, 1e-12);
        double mx = 0, my = 0, mz = 0, dist = 0, ux = 0, uy = 0, uz = 0;
        foreach (Camera c in n.Cameras)
        {
            var (x, y, z) = c.CameraToWorld.Origin;
            (mx, my, mz) = (mx + x, my + y, mz + z);
            dist += Math.Sqrt((x * x) + (y * y) + (z * z)) / n.Count;
            (ux, uy, uz) = (ux + c.CameraToWorld[0, 1], uy + c.CameraToWorld[1, 1], uz + c.CameraToWorld[2, 1]);
        }

        Assert.Equal(0, mx, 1e-9);
        Assert.Equal(0, my, 1e-9);
        Assert.Equal(0, mz, 1e-9);
        Assert.Equal(SceneNormalization.TargetMeanDistance, dist, 1e-9);
        Assert.Equal(0, ux, 1e-9);
        Assert.Equal(0, uy, 1e-9);
        Assert.True(uz > 0);

        // Depths scale with the world; the same pixel's ray points at the same scene point.
        Assert.Equal(raw.BoundsOf(5).Near * n.WorldScale, n.BoundsOf(5).Near, 1e-4);
        Ray a = RayGenerator.GetRay(raw.Cameras[5], 100, 200), b = RayGenerator.GetRay(n.Cameras[5], 100, 200);
        var p = a.PointAt(7.0);
        var (qx, qy, qz) = SceneNormalization.Apply(n.WorldTransform, p.X, p.Y, p.Z);
        var q = b.PointAt(7.0 * n.WorldScale);
        Assert.Equal(qx * n.WorldScale, q.X, 1e-9);
        Assert.Equal(qy * n.WorldScale, q.Y, 1e-9);
        Assert.Equal(qz * n.WorldScale, q.Z, 1e-9);
    }

    [Fact]
    public void BonsaiModelReadsAndSurvivesATextRoundTrip()
    {
        string dir = SharedData.Data("colmap", "bonsai_3view");
        ColmapModel model = ColmapModel.Read(Path.Combine(dir, "sparse", "0"));
        Assert.Single(model.Cameras);
        Assert.Equal("PINHOLE", model.Cameras[0].Model);
        Assert.Equal([1188.0533973507925, 1185.9601910983506, 349.5, 230.5], model.Cameras[0].Params);
        Assert.Equal(3, model.Images.Count);
        Assert.Equal(1334, model.Points.Count);

        using var tmp = new TempDirectory("nerfsharp-colmap");
        model.WriteText(tmp.Path);
        ColmapModel text = ColmapModel.Read(tmp.Path);
        Assert.Equal(model.Cameras[0].Params, text.Cameras[0].Params);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(model.Images[i] with { Point3DIds = [] }, text.Images[i] with { Point3DIds = [] });
            Assert.Equal(model.Images[i].Point3DIds, text.Images[i].Point3DIds);
        }

        Assert.Equal(model.Points.Select(p => (p.Id, p.X, p.Y, p.Z, p.Error)), text.Points.Select(p => (p.Id, p.X, p.Y, p.Z, p.Error)));
        Assert.Equal(model.Points[100].ImageIds, text.Points[100].ImageIds);

        DataParserOutput bonsai = ColmapParser.Load(dir, new ColmapOptions(new CaptureOptions("all")));
        Assert.Equal(new PinholeIntrinsics(699, 461, 1188.0533973507925, 1185.9601910983506, 349.5, 230.5), bonsai.Cameras[0].Intrinsics);
        Assert.Equal(LensDistortion.None, bonsai.Cameras[0].Distortion);
        Assert.Equal(3, bonsai.Images.Count);
        Assert.Equal((699, 461, 3), (bonsai.Images[2].Width, bonsai.Images[2].Height, bonsai.Images[2].Channels));
    }

    [Fact]
    public void SameRaysFromTheColmapModelAndTheTransformsJsonWrittenFromIt()
    {
        using var tmp = new TempDirectory("nerfsharp-colmap");
        foreach (string scene in new[] { "bonsai_3view", "beer" })
        {
            string dir = SharedData.Data("colmap", scene);
            DataParserOutput colmap = ColmapParser.Load(dir, new ColmapOptions(AllCameras));
            string json = tmp.Combine(scene, "transforms.json");
            TransformsJsonWriter.Write(json, colmap.Cameras, colmap.ImagePaths);
            DataParserOutput ngp = TransformsJsonParser.Load(Path.GetDirectoryName(json)!, AllCameras);
            Assert.Equal("nerfstudio", ngp.Format);
            Assert.Null(ngp.MaskPaths);
            Assert.Equal(colmap.ImagePaths, ngp.ImagePaths);
            for (int i = 0; i < colmap.Count; i++)
            {
                foreach (var (x, y) in new[] { (0, 0), (13, 301), (698, 460) })
                {
                    Ray a = RayGenerator.GetRay(colmap.Cameras[i], x, y), b = RayGenerator.GetRay(ngp.Cameras[i], x, y);
                    Assert.Equal(a.DirX, b.DirX, 1e-12);
                    Assert.Equal(a.DirY, b.DirY, 1e-12);
                    Assert.Equal(a.DirZ, b.DirZ, 1e-12);
                    Assert.Equal(a.OriginX, b.OriginX, 1e-12);
                }
            }
        }
    }

    [Fact]
    public void FoxTransformsJson()
    {
        string dir = SharedData.Data("instant_ngp", "fox");
        DataParserOutput fox = TransformsJsonParser.Load(dir, AllCameras);
        Assert.Equal("instant_ngp", fox.Format);
        Assert.Equal(67, fox.Count);
        Camera c = fox.Cameras[0];
        Assert.Equal(new PinholeIntrinsics(1080, 1920, 1375.52, 1374.49, 554.558, 965.268), c.Intrinsics);
        Assert.Equal(LensDistortion.OpenCv(0.0578421, -0.0805099, -0.000980296, 0.00015575), c.Distortion);
        Assert.Equal(PixelCenter.Center, c.PixelCenter);
        Assert.Equal(0.8926439112348871, c.CameraToWorld[0, 0]);
        Assert.Equal(3.168359405609479, c.CameraToWorld[0, 3]);
        Assert.Equal(-5.4794898611466945, c.CameraToWorld[1, 3]);
        Assert.EndsWith(Path.Combine("images", "0001.jpg"), fox.ImagePaths[0], StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("images", "0115.jpg"), fox.ImagePaths[66], StringComparison.Ordinal);
        Assert.Equal(4, fox.AabbScale);
        Assert.Equal(new SceneBounds(-2 / 0.33, -2 / 0.33, -2 / 0.33, 2 / 0.33, 2 / 0.33, 2 / 0.33), fox.SceneBox);
        Assert.All(fox.ViewBounds!, b => Assert.True(b.Near > 0 && b.Far > b.Near));

        DataParserOutput train = TransformsJsonParser.Load(dir, new CaptureOptions("train", LoadImages: false));
        DataParserOutput test = TransformsJsonParser.Load(dir, new CaptureOptions("test", LoadImages: false));
        Assert.Equal(58, train.Count);
        Assert.Equal([0, 8, 16, 24, 32, 40, 48, 56, 64], test.SourceIndices);
        Assert.Contains("every 8th", test.SplitDescription, StringComparison.Ordinal);

        DataParserOutput small = TransformsJsonParser.Load(dir, new CaptureOptions("test", Downscale: 8));
        Assert.Equal((135, 240), (small.Images[0].Width, small.Images[0].Height));
        Assert.Equal(1375.52 / 8, small.Cameras[0].Intrinsics.Fx, 1e-12);
    }

    [Fact]
    public void FernLlffFollowsLoadLlffData()
    {
        string dir = SharedData.Data("nerf_llff_data", "fern");
        NpyArray raw = Npy.Read(Path.Combine(dir, "poses_bounds.npy"));
        double minBound = Enumerable.Range(0, 20).Min(i => Math.Min(raw[i, 15], raw[i, 16]));
        double maxBound = Enumerable.Range(0, 20).Max(i => Math.Max(raw[i, 15], raw[i, 16]));
        DataParserOutput all = LlffParser.Load(dir, new LlffOptions(Split: "all", LoadImages: false));
        Assert.Equal("llff", all.Format);
        Assert.True(all.Ndc);
        Assert.Equal((0f, 1f), (all.Near, all.Far));
        Assert.Equal(20, all.Count);
        Assert.Equal(PinholeIntrinsics.FromFocal(504, 378, 3260.5263328805895 / 8), all.Cameras[0].Intrinsics);
        Assert.Equal(PixelCenter.Corner, all.Cameras[0].PixelCenter);
        Assert.Equal(1 / (minBound * 0.75), all.WorldScale, 1e-15);

        // Recentred: the average pose of the training poses is the identity.
        Pose avg = CameraPaths.AveragePose(all.Cameras.Select(c => c.CameraToWorld).ToList());
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                Assert.Equal(r == c ? 1 : 0, avg[r, c], 1e-9);
            }
        }

        // Known value: camera 0 after the axis reorder, rescale and recentring.
        Assert.Equal(0.9956946865624893, all.Cameras[0].CameraToWorld[0, 0], 1e-12);
        Assert.Equal(-0.30810018686152174, all.Cameras[0].CameraToWorld[0, 3], 1e-12);
        Assert.Equal(120, all.RenderPath.Count);

        DataParserOutput test = LlffParser.Load(dir, new LlffOptions(Split: "test"));
        Assert.Equal([0, 8, 16], test.SourceIndices);
        Assert.Equal((504, 378), (test.Images[0].Width, test.Images[0].Height));
        DataParserOutput noNdc = LlffParser.Load(dir, new LlffOptions(Factor: 4, NoNdc: true, LoadImages: false));
        Assert.False(noNdc.Ndc);
        Assert.Equal(17, noNdc.Count);
        Assert.Equal(0.9 / 0.75, noNdc.Near, 1e-6);
        Assert.Equal(maxBound / (minBound * 0.75), noNdc.Far, 1e-4);
        Assert.Equal(1008, noNdc.Cameras[0].Intrinsics.Width);
        Assert.Equal(3260.5263328805895 / 4, noNdc.Cameras[0].Intrinsics.Fx, 1e-12);

        // NDC rays as nerf-pytorch: ndc_rays(H, W, focal, 1.0, rays_o, rays_d); without NDC the world ray.
        Ray world = RayGenerator.GetRay(all.Cameras[3], 17, 250);
        Assert.Equal(NdcRays.ToNdc(378, 504, 3260.5263328805895 / 8, 1.0, world), all.RayFor(3, 17, 250));
        Assert.Equal(RayGenerator.GetRay(noNdc.Cameras[3], 17, 250), noNdc.RayFor(3, 17, 250));

        DataParserOutput sphere = LlffParser.Load(dir, new LlffOptions(Spherify: true, NoNdc: true, Split: "all", LoadImages: false));
        double meanSquare = sphere.Cameras.Average(c => (c.CameraToWorld[0, 3] * c.CameraToWorld[0, 3]) + (c.CameraToWorld[1, 3] * c.CameraToWorld[1, 3]) + (c.CameraToWorld[2, 3] * c.CameraToWorld[2, 3]));
        Assert.Equal(1, meanSquare, 1e-9);
        Assert.Equal(120, sphere.RenderPath.Count);
    }

    [Theory]
    [InlineData("nerf_llff_data/fern", DatasetFormat.Llff)]
    [InlineData("instant_ngp/fox", DatasetFormat.TransformsJson)]
    [InlineData("colmap/beer", DatasetFormat.Colmap)]
    [InlineData("colmap/bonsai_3view", DatasetFormat.Colmap)]
    [InlineData("nerf_synthetic/lego_400", DatasetFormat.Blender)]
    public void DetectsTheFormat(string folder, DatasetFormat expected)
    {
        string dir = SharedData.Data(folder.Split('/'));
        Assert.Equal(expected, DatasetFormatDetector.Detect(dir).Format);
        var (format, reason) = DatasetLoader.Resolve(new DataConfig { DataDir = dir });
        Assert.Equal(expected, format);
        Assert.Equal(expected == DatasetFormat.Blender, reason is null);
        Assert.Equal(DatasetFormat.Llff, DatasetLoader.Resolve(new DataConfig { DataDir = dir, DatasetType = "llff" }).Format);
    }

    [Fact]
    public void FernConfigFileLoadsTheLlffTestSplit()
    {
        string repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "configs", "fern.txt")))
        {
            repo = Path.GetDirectoryName(repo) ?? throw new FileNotFoundException("configs/fern.txt");
        }

        RunConfig config = NerfPytorchConfigFile.Load(Path.Combine(repo, "configs", "fern.txt"));
        Assert.Equal(("llff", 8, 8), (config.Data.DatasetType, config.Data.Factor, config.Data.LlffHold));
        var messages = new List<string>();
        DataParserOutput test = DatasetLoader.Load(config.Data with { DataDir = SharedData.Data("nerf_llff_data", "fern") }, "test", messages.Add);
        Assert.Empty(messages);
        Assert.Equal(("llff", 3, true), (test.Format, test.Count, test.Ndc));
        Assert.Equal("test", DatasetLoader.HeldOutSplit(config.Data with { DataDir = SharedData.Data("nerf_llff_data", "fern") }));
    }

    [Fact]
    public void DatasetLoaderLoadsADetectedCaptureAndSaysWhichFormat()
    {
        var messages = new List<string>();
        var config = new DataConfig { DataDir = SharedData.Data("colmap", "bonsai_3view"), Factor = 4, LlffHold = 0 };
        DataParserOutput train = DatasetLoader.Load(config, "train", messages.Add);
        Assert.Contains("COLMAP", Assert.Single(messages), StringComparison.Ordinal);
        Assert.Equal(3, train.Count);
        Assert.Equal((174, 115), (train.Images[0].Width, train.Images[0].Height));
        Assert.Equal(174, train.Cameras[0].Intrinsics.Width);
    }
}
