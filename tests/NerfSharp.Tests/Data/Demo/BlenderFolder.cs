using System.Text.Json;

namespace NerfSharp.Tests.Data.Demo;

/// <summary>The demo folder read back as a Blender scene, parsed here rather than with the library's loader.</summary>
internal sealed record BlenderFrame(string FilePath, double[,] Matrix)
{
    public (double X, double Y, double Z) Origin => (Matrix[0, 3], Matrix[1, 3], Matrix[2, 3]);

    public (double X, double Y, double Z) ToWorld(double x, double y, double z) =>
        ((Matrix[0, 0] * x) + (Matrix[0, 1] * y) + (Matrix[0, 2] * z),
         (Matrix[1, 0] * x) + (Matrix[1, 1] * y) + (Matrix[1, 2] * z),
         (Matrix[2, 0] * x) + (Matrix[2, 1] * y) + (Matrix[2, 2] * z));

    /// <summary>World point to camera coordinates (R^T (p - t)).</summary>
    public (double X, double Y, double Z) ToCamera((double X, double Y, double Z) p)
    {
        double dx = p.X - Matrix[0, 3], dy = p.Y - Matrix[1, 3], dz = p.Z - Matrix[2, 3];
        return ((Matrix[0, 0] * dx) + (Matrix[1, 0] * dy) + (Matrix[2, 0] * dz),
                (Matrix[0, 1] * dx) + (Matrix[1, 1] * dy) + (Matrix[2, 1] * dz),
                (Matrix[0, 2] * dx) + (Matrix[1, 2] * dy) + (Matrix[2, 2] * dz));
    }

    public static (double CameraAngleX, List<BlenderFrame> Frames) ReadSplit(string folder, string split)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"transforms_{split}.json")));
        double angle = doc.RootElement.GetProperty("camera_angle_x").GetDouble();
        var frames = new List<BlenderFrame>();
        foreach (var f in doc.RootElement.GetProperty("frames").EnumerateArray())
        {
            var rows = f.GetProperty("transform_matrix").EnumerateArray().ToArray();
            Assert.Equal(4, rows.Length);
            var m = new double[4, 4];
            for (int r = 0; r < 4; r++)
            {
                var cols = rows[r].EnumerateArray().ToArray();
                Assert.Equal(4, cols.Length);
                for (int c = 0; c < 4; c++)
                {
                    m[r, c] = cols[c].GetDouble();
                }
            }

            frames.Add(new BlenderFrame(f.GetProperty("file_path").GetString()!, m));
        }

        return (angle, frames);
    }
}
