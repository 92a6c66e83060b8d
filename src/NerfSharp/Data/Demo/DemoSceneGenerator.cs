using System.Globalization;
using System.Text;
using System.Text.Json;
using NerfSharp.Imaging;
using NerfSharp.Numerics;

namespace NerfSharp.Data.Demo;

/// <summary>
/// Renders <see cref="DemoScene"/> into a Blender-format folder (transforms_{train,val,test}.json with camera_angle_x
/// and 4x4 transform_matrix per frame; train/, val/, test/ RGBA PNGs named r_i.png with a transparent background),
/// so the demo and the tests need no download. Deterministic: the same options give the same bytes.
/// Train and val cameras are random on the upper hemisphere (seeded); test cameras orbit at 30 degrees elevation.
/// </summary>
public static class DemoSceneGenerator
{
    public static void Generate(string outputDir, DemoSceneOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDir);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Height, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TrainViews);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ValViews);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TestViews);

        var rng = new Rng(options.Seed);
        var splits = new (string Name, Pose[] Poses)[]
        {
            ("train", DemoCameras.RandomOnHemisphere(rng, options.TrainViews, DemoScene.CameraRadius)),
            ("val", DemoCameras.RandomOnHemisphere(rng, options.ValViews, DemoScene.CameraRadius)),
            ("test", DemoCameras.Orbit(options.TestViews, 30 * Math.PI / 180, DemoScene.CameraRadius)),
        };

        var jobs = new List<(string Path, Pose Pose)>();
        foreach (var (name, poses) in splits)
        {
            Directory.CreateDirectory(Path.Combine(outputDir, name));
            for (int i = 0; i < poses.Length; i++)
            {
                jobs.Add((Path.Combine(outputDir, name, $"r_{i}.png"), poses[i]));
            }
        }

        Parallel.For(0, jobs.Count, j =>
        {
            var image = Render(jobs[j].Pose, options.Width, options.Height);
            File.WriteAllBytes(jobs[j].Path, PngEncoder.Encode(image));
        });

        // The transforms files come last: a folder with them is complete.
        foreach (var (name, poses) in splits)
        {
            File.WriteAllBytes(Path.Combine(outputDir, $"transforms_{name}.json"), TransformsJson(name, poses));
        }
    }

    /// <summary>
    /// One RGBA view of the scene. Each pixel averages <see cref="DemoScene.SubpixelOffsets"/> rays; alpha is the covered
    /// fraction and the colour is not premultiplied (as in Blender's PNGs: composite with rgb * a + background * (1 - a)).
    /// </summary>
    public static Image Render(Pose cameraToWorld, int width, int height)
    {
        double focal = 0.5 * width / Math.Tan(0.5 * DemoScene.CameraAngleX);
        var image = new Image(width, height, 4);
        var origin = cameraToWorld.Origin;
        var offsets = DemoScene.SubpixelOffsets;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double r = 0, g = 0, b = 0, a = 0;
                foreach (var (u, v) in offsets)
                {
                    var dir = cameraToWorld.RotateToWorld((x + u - (0.5 * width)) / focal, -(y + v - (0.5 * height)) / focal, -1);
                    var c = DemoScene.Shade(origin, dir);
                    r += c.R;
                    g += c.G;
                    b += c.B;
                    a += c.A;
                }

                if (a > 0)
                {
                    image[x, y, 0] = (float)(r / a);
                    image[x, y, 1] = (float)(g / a);
                    image[x, y, 2] = (float)(b / a);
                    image[x, y, 3] = (float)(a / offsets.Count);
                }
            }
        }

        return image;
    }

    private static byte[] TransformsJson(string split, Pose[] poses)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("camera_angle_x", DemoScene.CameraAngleX);
            w.WriteStartArray("frames");
            for (int i = 0; i < poses.Length; i++)
            {
                w.WriteStartObject();
                w.WriteString("file_path", $"./{split}/r_{i.ToString(CultureInfo.InvariantCulture)}");
                w.WriteNumber("rotation", 0.0);
                w.WriteStartArray("transform_matrix");
                for (int row = 0; row < 4; row++)
                {
                    w.WriteStartArray();
                    for (int col = 0; col < 4; col++)
                    {
                        w.WriteNumberValue(row < 3 ? poses[i][row, col] : col == 3 ? 1.0 : 0.0);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        ms.Write(Encoding.UTF8.GetBytes("\n"));
        return ms.ToArray();
    }
}
