using NerfSharp.Data.Demo;
using Xunit.Abstractions;

namespace NerfSharp.Tests.Data.Demo;

public sealed class DemoSceneGeneratorTests(DemoSceneFixture scene, ITestOutputHelper output) : IClassFixture<DemoSceneFixture>
{
    private static double Focal(int width, double angle) => 0.5 * width / Math.Tan(0.5 * angle);

    [Fact]
    public void GenerationIsDeterministic()
    {
        string a = Directory.CreateTempSubdirectory("nerfsharp-demo-a-").FullName;
        string b = Directory.CreateTempSubdirectory("nerfsharp-demo-b-").FullName;
        string c = Directory.CreateTempSubdirectory("nerfsharp-demo-c-").FullName;
        try
        {
            var options = new DemoSceneOptions(Width: 40, Height: 30, TrainViews: 3, ValViews: 2, TestViews: 2, Seed: 3);
            DemoSceneGenerator.Generate(a, options);
            DemoSceneGenerator.Generate(b, options);
            DemoSceneGenerator.Generate(c, options with { Seed = 4 });
            string[] files = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(10, files.Length);
            Assert.Equal(files, Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order(StringComparer.Ordinal));
            foreach (string f in files)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)));
            }

            Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "transforms_train.json")), File.ReadAllBytes(Path.Combine(c, "transforms_train.json")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, "transforms_test.json")), File.ReadAllBytes(Path.Combine(c, "transforms_test.json")));
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
            Directory.Delete(c, true);
        }
    }

    [Theory]
    [InlineData("train", 48)]
    [InlineData("val", 8)]
    [InlineData("test", 8)]
    public void FolderIsBlenderFormatWithCamerasLookingAtTheOrigin(string split, int count)
    {
        output.WriteLine($"default demo scene generated in {scene.GenerationTime.TotalMilliseconds:F0} ms");
        var (angle, frames) = BlenderFrame.ReadSplit(scene.Directory, split);
        Assert.Equal(0.6911112070083618, angle, 1e-12);
        Assert.Equal(count, frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            Assert.Equal($"./{split}/r_{i}", f.FilePath);
            var (w, h, _) = TestPngReader.Read(Path.Combine(scene.Directory, f.FilePath + ".png"));
            Assert.Equal((100, 100), (w, h));

            var m = f.Matrix;
            Assert.Equal([0.0, 0.0, 0.0, 1.0], new[] { m[3, 0], m[3, 1], m[3, 2], m[3, 3] });
            for (int a = 0; a < 3; a++)
            {
                for (int b = 0; b < 3; b++)
                {
                    double dot = (m[0, a] * m[0, b]) + (m[1, a] * m[1, b]) + (m[2, a] * m[2, b]);
                    Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-12);
                }
            }

            double det = (m[0, 0] * ((m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1])))
                - (m[0, 1] * ((m[1, 0] * m[2, 2]) - (m[1, 2] * m[2, 0])))
                + (m[0, 2] * ((m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0])));
            Assert.Equal(1.0, det, 1e-12);

            var o = f.Origin;
            double r = Math.Sqrt((o.X * o.X) + (o.Y * o.Y) + (o.Z * o.Z));
            Assert.Equal(4.0, r, 1e-12);
            Assert.True(o.Z > 0, "cameras are on the upper hemisphere");

            // OpenGL: the camera looks down -z, so -z (camera) in world = direction to the origin; camera x is horizontal.
            var forward = f.ToWorld(0, 0, -1);
            Assert.Equal(1.0, -((forward.X * o.X) + (forward.Y * o.Y) + (forward.Z * o.Z)) / r, 1e-12);
            Assert.Equal(0.0, m[2, 0], 1e-12);
            Assert.True(m[2, 1] > 0, "camera up points up");
        }
    }

    [Fact]
    public void PixelsMatchTheAnalyticScene()
    {
        var (angle, frames) = BlenderFrame.ReadSplit(scene.Directory, "train");
        int opaque = 0, empty = 0, edge = 0;
        foreach (var f in frames.Take(6))
        {
            var (w, h, rgba) = TestPngReader.Read(Path.Combine(scene.Directory, f.FilePath + ".png"));
            double focal = Focal(w, angle);

            // Corners are background, like the Blender renders.
            foreach (var (x, y) in new[] { (0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1) })
            {
                Assert.Equal(0, rgba[(((y * w) + x) * 4) + 3]);
            }

            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    // The analytic scene along the documented antialiasing rays of this pixel.
                    int hits = 0;
                    double r = 0, g = 0, b = 0;
                    foreach (var (u, v) in DemoScene.SubpixelOffsets)
                    {
                        var dir = f.ToWorld((x + u - (0.5 * w)) / focal, -(y + v - (0.5 * h)) / focal, -1);
                        double t = DemoScene.Intersect(f.Origin, dir);
                        if (double.IsFinite(t))
                        {
                            Assert.InRange(t, DemoScene.Near, DemoScene.Far);
                            hits++;
                            var c = DemoScene.Shade(f.Origin, dir);
                            Assert.Equal(1.0, c.A);
                            (r, g, b) = (r + c.R, g + c.G, b + c.B);
                        }
                    }

                    int p = ((y * w) + x) * 4;
                    Assert.Equal((int)Math.Round(255.0 * hits / 4), rgba[p + 3]);
                    if (hits > 0)
                    {
                        Assert.InRange(rgba[p + 0], (255 * r / hits) - 1, (255 * r / hits) + 1);
                        Assert.InRange(rgba[p + 1], (255 * g / hits) - 1, (255 * g / hits) + 1);
                        Assert.InRange(rgba[p + 2], (255 * b / hits) - 1, (255 * b / hits) + 1);
                    }

                    if (hits == 4)
                    {
                        opaque++;
                    }
                    else if (hits == 0)
                    {
                        empty++;
                    }
                    else
                    {
                        edge++;
                    }
                }
            }
        }

        output.WriteLine($"opaque {opaque}, background {empty}, partial {edge}");
        Assert.True(opaque > 6 * 1000 && empty > 6 * 1000 && edge > 6 * 50, $"opaque {opaque}, background {empty}, partial {edge}");
    }

    [Fact]
    public void SameSurfacePointDiffersInColourBetweenViews()
    {
        // The brightest sphere pixel of a view is on a specular highlight; the same point seen from
        // another view that sees it must look clearly different in the PNGs.
        var (angle, frames) = BlenderFrame.ReadSplit(scene.Directory, "train");
        var images = frames.Select(f => TestPngReader.Read(Path.Combine(scene.Directory, f.FilePath + ".png"))).ToArray();
        double bestDifference = 0;
        for (int a = 0; a < 8; a++)
        {
            var (w, h, rgba) = images[a];
            double focal = Focal(w, angle);
            double brightest = -1;
            (double X, double Y, double Z) point = default;
            for (int y = 1; y < h - 1; y++)
            {
                for (int x = 1; x < w - 1; x++)
                {
                    var hit = DemoScene.Trace(frames[a].Origin, Normalize(frames[a].ToWorld((x + 0.5 - (0.5 * w)) / focal, -(y + 0.5 - (0.5 * h)) / focal, -1)));
                    double lum = Luminance(rgba, ((y * w) + x) * 4);
                    if (hit.Object == DemoSceneObject.Sphere && rgba[(((y * w) + x) * 4) + 3] == 255 && lum > brightest)
                    {
                        (brightest, point) = (lum, hit.Point);
                    }
                }
            }

            if (brightest < 0)
            {
                continue;
            }

            for (int b = 0; b < frames.Count; b++)
            {
                var o = frames[b].Origin;
                var toPoint = (point.X - o.X, point.Y - o.Y, point.Z - o.Z);
                double distance = Math.Sqrt((toPoint.Item1 * toPoint.Item1) + (toPoint.Item2 * toPoint.Item2) + (toPoint.Item3 * toPoint.Item3));
                if (b == a || Math.Abs(DemoScene.Intersect(o, toPoint) - distance) > 1e-6)
                {
                    continue; // the same view, or the point is hidden from view b
                }

                var c = frames[b].ToCamera(point);
                int px = (int)Math.Floor((0.5 * w) + (focal * c.X / -c.Z));
                int py = (int)Math.Floor((0.5 * h) - (focal * c.Y / -c.Z));
                var (_, _, rgbaB) = images[b];
                if (rgbaB[(((py * w) + px) * 4) + 3] == 255)
                {
                    bestDifference = Math.Max(bestDifference, brightest - Luminance(rgbaB, ((py * w) + px) * 4));
                }
            }
        }

        output.WriteLine($"largest luminance drop of a highlight point between views: {bestDifference:F3}");
        Assert.True(bestDifference > 0.3, $"largest difference {bestDifference}");
    }

    private static double Luminance(byte[] rgba, int p) => ((0.2126 * rgba[p]) + (0.7152 * rgba[p + 1]) + (0.0722 * rgba[p + 2])) / 255.0;

    private static (double X, double Y, double Z) Normalize((double X, double Y, double Z) v)
    {
        double l = Math.Sqrt((v.X * v.X) + (v.Y * v.Y) + (v.Z * v.Z));
        return (v.X / l, v.Y / l, v.Z / l);
    }
}
