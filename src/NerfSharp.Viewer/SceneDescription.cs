using System.Text.Json;
using NerfSharp.Cameras;

namespace NerfSharp.Viewer;

/// <summary>
/// The JSON the page reads at start (<c>/api/scene</c>): title, depth range, the world's up direction (the mean of
/// the training cameras' up vectors), whether a run is training, and every training camera (row-major 4x4
/// camera-to-world, vertical fov in degrees, aspect, size).
/// </summary>
public static class SceneDescription
{
    public static byte[] ToJson(ViewerScene scene)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("title", scene.Title);
            w.WriteNumber("near", scene.Near);
            w.WriteNumber("far", scene.Far);
            w.WriteBoolean("training", scene.Training != null);
            var (ux, uy, uz) = UpDirection(scene.TrainingCameras);
            w.WriteStartArray("up");
            w.WriteNumberValue(ux);
            w.WriteNumberValue(uy);
            w.WriteNumberValue(uz);
            w.WriteEndArray();
            w.WriteStartArray("cameras");
            for (int i = 0; i < scene.TrainingCameras.Count; i++)
            {
                Camera c = scene.TrainingCameras[i];
                w.WriteStartObject();
                w.WriteString("name", $"train {i}");
                w.WriteStartArray("pose");
                foreach (double v in c.CameraToWorld.Values)
                {
                    w.WriteNumberValue(v);
                }

                w.WriteNumberValue(0);
                w.WriteNumberValue(0);
                w.WriteNumberValue(0);
                w.WriteNumberValue(1);
                w.WriteEndArray();
                w.WriteNumber("fov", VerticalFovDegrees(c));
                w.WriteNumber("aspect", (double)c.Intrinsics.Width / c.Intrinsics.Height);
                w.WriteNumber("width", c.Intrinsics.Width);
                w.WriteNumber("height", c.Intrinsics.Height);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The vertical field of view of a camera in degrees.</summary>
    public static double VerticalFovDegrees(Camera camera) => 2 * Math.Atan(0.5 * camera.Intrinsics.Height / camera.Intrinsics.Fy) * 180 / Math.PI;

    /// <summary>The normalised mean of the cameras' up vectors (+y of each camera); +y when there is none.</summary>
    public static (double X, double Y, double Z) UpDirection(IReadOnlyList<Camera> cameras)
    {
        double x = 0, y = 0, z = 0;
        foreach (Camera c in cameras)
        {
            var (ax, ay, az) = c.CameraToWorld.RotateToWorld(0, 1, 0);
            x += ax;
            y += ay;
            z += az;
        }

        double n = Math.Sqrt((x * x) + (y * y) + (z * z));
        return n > 1e-9 ? (x / n, y / n, z / n) : (0, 1, 0);
    }
}
