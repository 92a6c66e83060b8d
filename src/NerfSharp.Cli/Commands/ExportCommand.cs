using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NerfSharp.Data;
using NerfSharp.Export;
using NerfSharp.Runs;
using NerfSharp.Sampling;

namespace NerfSharp.Cli.Commands;

/// <summary>
/// <c>nerf export mesh</c> (marching cubes on the density, coloured from the field, to glb / ply / obj) and
/// <c>nerf export pointcloud</c> (points at the expected depth of the training views, to ply).
/// </summary>
public static class ExportCommand
{
    public static Command Create(CliContext ctx)
    {
        var command = new Command("export", CommandHelp.Describe("Export a trained run as a mesh (glb, ply, obj) or a point cloud (ply).", ["nerf export mesh --run runs/statue --format glb --out statue.glb", "nerf export pointcloud --run runs/statue --points 1000000 --out statue.ply"]));
        command.Add(CreateMesh(ctx));
        command.Add(CreatePointCloud(ctx));
        return command;
    }

    private static Command CreateMesh(CliContext ctx)
    {
        var run = new Option<string>("--run") { Description = "the run folder (its latest checkpoint is used)", Required = true };
        var output = new Option<string>("--out") { Description = "the mesh file to write", Required = true };
        var format = new Option<string?>("--format") { Description = "glb, ply or obj (default: from the --out extension, else glb)" };
        format.AcceptOnlyFromAmong("glb", "ply", "obj");
        var resolution = new Option<int>("--resolution") { Description = "grid cells along the box's longest side", DefaultValueFactory = _ => 256 };
        var threshold = new Option<float?>("--threshold")
        {
            Description = $"density of the surface, per world unit (default: ngp {ExportableField.NgpDefaultThreshold}, nerfacto {ExportableField.NgpDefaultThreshold} per model unit, vanilla {ExportableField.VanillaDefaultThreshold})",
        };
        var bbox = new Option<string?>("--bbox") { Description = "x0,y0,z0,x1,y1,z1: the box to mesh (default: the model's scene box)" };
        var minComponent = new Option<double>("--min-component")
        {
            Description = "drop pieces with fewer triangles than this fraction of the largest piece's",
            DefaultValueFactory = _ => 0.02,
        };
        var command = new Command("mesh", CommandHelp.Describe(
            "Marching cubes on the run's density, vertex colours from the field.",
            ["nerf export mesh --run runs/statue --format glb --out statue.glb", "nerf export mesh --run runs/lego --out lego.ply --resolution 384 --bbox -1,-1,-1,1,1,1"]))
        {
            run, output, format, resolution, threshold, bbox, minComponent,
        };
        command.SetAction(parse =>
        {
            string outPath = parse.GetRequiredValue(output);
            MeshFormat meshFormat = parse.GetValue(format) is { } f ? MeshFormats.Parse(f) : MeshFormats.FromExtension(outPath) ?? MeshFormat.Glb;
            int res = parse.GetValue(resolution);
            if (res < 2 || res > 1024)
            {
                throw new ArgumentException($"--resolution must be between 2 and 1024, got {res}");
            }

            SceneBox? box = parse.GetValue(bbox) is { } text ? ParseBox(text) : null;
            TrainedRun trained = TrainedRun.Open(parse.GetRequiredValue(run));
            ctx.Out.WriteLine($"exporting {trained.Config.Model} run {trained.Folder.Path} (step {trained.Step}) at resolution {res}");
            var progress = new Dictionary<string, ConsoleProgress>();
            var watch = Stopwatch.StartNew();
            var options = new MeshExportOptions(res, parse.GetValue(threshold), box, parse.GetValue(minComponent));
            MeshExporter.Result result = MeshExporter.Export(
                trained.Model,
                options,
                (stage, done, total) =>
                {
                    if (!progress.TryGetValue(stage, out ConsoleProgress? bar))
                    {
                        bar = progress[stage] = new ConsoleProgress(ctx, $"export {stage}");
                    }

                    bar.Report(done, total, watch.Elapsed.TotalSeconds, done);
                    if (done >= total)
                    {
                        bar.Finish();
                    }
                },
                ctx.Cancel);
            TriangleMesh mesh = result.Mesh;
            if (mesh.TriangleCount == 0)
            {
                throw new ArgumentException($"{trained.Folder.Path}: no surface at density {result.Threshold} in the box (try a lower --threshold)");
            }

            MeshFormats.Write(outPath, mesh, meshFormat);
            var b = mesh.Bounds();
            ctx.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"wrote {outPath}: {mesh.VertexCount} vertices, {mesh.TriangleCount} triangles, threshold {result.Threshold}, {result.ComponentsRemoved} small pieces removed"));
            ctx.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"bounds ({b.MinX:F3}, {b.MinY:F3}, {b.MinZ:F3}) .. ({b.MaxX:F3}, {b.MaxY:F3}, {b.MaxZ:F3}); density {result.SampleSeconds:F1} s, surface {result.SurfaceSeconds:F1} s, colour {result.ColorSeconds:F1} s, total {watch.Elapsed.TotalSeconds:F1} s"));
            return 0;
        });
        return command;
    }

    private static Command CreatePointCloud(CliContext ctx)
    {
        var run = new Option<string>("--run") { Description = "the run folder (its latest checkpoint is used)", Required = true };
        var output = new Option<string>("--out") { Description = "the .ply file to write", Required = true };
        var points = new Option<int>("--points") { Description = "number of points", DefaultValueFactory = _ => 1_000_000 };
        var minAccumulation = new Option<float>("--min-accumulation")
        {
            Description = "opacity a pixel's ray needs to give a point",
            DefaultValueFactory = _ => 0.9f,
        };
        var downscale = new Option<int?>("--downscale") { Description = "render the training views this many times smaller (default: about 4 candidates per point)" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the random choice of points", DefaultValueFactory = _ => 0 };
        var command = new Command("pointcloud", CommandHelp.Describe(
            "Points at the expected depth of the training views where they are opaque, coloured, with normals.",
            ["nerf export pointcloud --run runs/statue --points 1000000 --out statue.ply"]))
        {
            run, output, points, minAccumulation, downscale, seed,
        };
        command.SetAction(parse =>
        {
            string outPath = parse.GetRequiredValue(output);
            TrainedRun trained = TrainedRun.Open(parse.GetRequiredValue(run));
            DataParserOutput views = DatasetLoader.Load(trained.Config.Data, "train", ctx.Error.WriteLine);
            var options = new PointCloudExportOptions(parse.GetValue(points), parse.GetValue(minAccumulation), parse.GetValue(downscale), parse.GetValue(seed));
            int factor = options.Downscale ?? PointCloudExporter.AutoDownscale(views, options.Points);
            ctx.Out.WriteLine($"exporting {options.Points} points from {views.Count} training views of {trained.Folder.Path} (step {trained.Step}), rendered at 1/{factor} size");
            var bar = new ConsoleProgress(ctx, "export views");
            var watch = Stopwatch.StartNew();
            PointCloud cloud = PointCloudExporter.Export(
                trained.Model,
                views,
                options with { Downscale = factor },
                trained.Config.Trainer.Chunk,
                (done, total) => bar.Report(done, total, watch.Elapsed.TotalSeconds, done),
                ctx.Cancel);
            bar.Finish();
            PlyWriter.Write(outPath, cloud);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {outPath}: {cloud.Count} points with colours and normals in {watch.Elapsed.TotalSeconds:F1} s"));
            if (cloud.Count < options.Points)
            {
                ctx.Out.WriteLine($"only {cloud.Count} pixels reached opacity {options.MinAccumulation} (use a smaller --downscale or --min-accumulation for more)");
            }
            return 0;
        });
        return command;
    }

    /// <summary>"x0,y0,z0,x1,y1,z1" as a box.</summary>
    public static SceneBox ParseBox(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var v = new float[6];
        if (parts.Length != 6 || !parts.Select((p, i) => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out v[i])).All(ok => ok))
        {
            throw new ArgumentException($"--bbox expects six comma-separated numbers x0,y0,z0,x1,y1,z1, got '{text}'");
        }

        if (!(v[3] > v[0] && v[4] > v[1] && v[5] > v[2]) || !v.All(float.IsFinite))
        {
            throw new ArgumentException($"--bbox needs finite corners with x1 > x0, y1 > y0 and z1 > z0, got '{text}'");
        }

        return new SceneBox(v[0], v[1], v[2], v[3], v[4], v[5]);
    }
}
