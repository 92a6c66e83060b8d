using System.Text.Json;
using NerfSharp.Cameras;

namespace NerfSharp.Data;

/// <summary>
/// Writes cameras and image paths as a nerfstudio-style <c>transforms.json</c> that <see cref="TransformsJsonParser"/> reads back to
/// the same cameras: per-frame w, h, fl_x, fl_y, cx, cy, camera_model and distortion keys, file_path relative to the file's
/// folder, transform_matrix (OpenGL camera-to-world, 4x4). Pixel-centre convention: the parser assumes centres, so cameras
/// with corner convention are written with cx, cy shifted by -0.5 to keep every ray.
/// </summary>
public static class TransformsJsonWriter
{
    public static void Write(string jsonPath, IReadOnlyList<Camera> cameras, IReadOnlyList<string> imagePaths, double? aabbScale = null)
    {
        ArgumentNullException.ThrowIfNull(jsonPath);
        ArgumentNullException.ThrowIfNull(cameras);
        ArgumentNullException.ThrowIfNull(imagePaths);
        string folder = Path.GetDirectoryName(Path.GetFullPath(jsonPath)) ?? ".";
        Directory.CreateDirectory(folder);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            if (aabbScale is double a)
            {
                w.WriteNumber("aabb_scale", a);
            }

            w.WriteStartArray("frames");
            for (int i = 0; i < cameras.Count; i++)
            {
                Camera c = cameras[i];
                PinholeIntrinsics k = c.Intrinsics;
                double shift = c.PixelCenter == PixelCenter.Center ? 0 : -0.5;
                w.WriteStartObject();
                w.WriteString("file_path", Path.GetRelativePath(folder, Path.GetFullPath(imagePaths[i])).Replace('\\', '/'));
                w.WriteNumber("w", k.Width);
                w.WriteNumber("h", k.Height);
                w.WriteNumber("fl_x", k.Fx);
                w.WriteNumber("fl_y", k.Fy);
                w.WriteNumber("cx", k.Cx + shift);
                w.WriteNumber("cy", k.Cy + shift);
                LensDistortion d = c.Distortion;
                w.WriteString("camera_model", d.Model == LensModel.Fisheye ? "OPENCV_FISHEYE" : d.IsIdentity ? "PINHOLE" : "OPENCV");
                w.WriteNumber("k1", d.K1);
                w.WriteNumber("k2", d.K2);
                w.WriteNumber("k3", d.K3);
                w.WriteNumber("k4", d.K4);
                w.WriteNumber("p1", d.P1);
                w.WriteNumber("p2", d.P2);
                w.WriteStartArray("transform_matrix");
                for (int r = 0; r < 4; r++)
                {
                    w.WriteStartArray();
                    for (int col = 0; col < 4; col++)
                    {
                        w.WriteNumberValue(r < 3 ? c.CameraToWorld[r, col] : col == 3 ? 1.0 : 0.0);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        IO.AtomicFile.WriteAllBytes(jsonPath, stream.ToArray());
    }
}
