using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NerfSharp.Cameras;

namespace NerfSharp.Data;

/// <summary>A COLMAP camera: its id, model name, size in pixels and the model's parameters in COLMAP's order.</summary>
public sealed record ColmapCamera(int Id, string Model, int Width, int Height, double[] Params)
{
    /// <summary>
    /// Intrinsics and distortion: SIMPLE_PINHOLE (f, cx, cy), PINHOLE (fx, fy, cx, cy), SIMPLE_RADIAL (f, cx, cy, k),
    /// RADIAL (f, cx, cy, k1, k2), OPENCV (fx, fy, cx, cy, k1, k2, p1, p2), OPENCV_FISHEYE (fx, fy, cx, cy, k1, k2, k3, k4).
    /// </summary>
    public (PinholeIntrinsics Intrinsics, LensDistortion Distortion) ToIntrinsics()
    {
        double[] p = Params;
        return Model switch
        {
            "SIMPLE_PINHOLE" => (new(Width, Height, p[0], p[0], p[1], p[2]), LensDistortion.None),
            "PINHOLE" => (new(Width, Height, p[0], p[1], p[2], p[3]), LensDistortion.None),
            "SIMPLE_RADIAL" => (new(Width, Height, p[0], p[0], p[1], p[2]), LensDistortion.SimpleRadial(p[3])),
            "RADIAL" => (new(Width, Height, p[0], p[0], p[1], p[2]), LensDistortion.Radial(p[3], p[4])),
            "OPENCV" => (new(Width, Height, p[0], p[1], p[2], p[3]), LensDistortion.OpenCv(p[4], p[5], p[6], p[7])),
            "OPENCV_FISHEYE" => (new(Width, Height, p[0], p[1], p[2], p[3]), LensDistortion.OpenCvFisheye(p[4], p[5], p[6], p[7])),
            _ => throw new InvalidOperationException($"camera model {Model} is not supported"),
        };
    }
}

/// <summary>A registered COLMAP image: world-to-camera quaternion (w, x, y, z) and translation, camera id, file name, and the 3-D point id of each 2-D feature (-1 when none).</summary>
public sealed record ColmapImage(int Id, double Qw, double Qx, double Qy, double Qz, double Tx, double Ty, double Tz, int CameraId, string Name, long[] Point3DIds);

/// <summary>A COLMAP 3-D point: id, position, colour, reprojection error and the ids of the images that see it.</summary>
public sealed record ColmapPoint(long Id, double X, double Y, double Z, byte R, byte G, byte B, double Error, int[] ImageIds);

/// <summary>
/// A COLMAP sparse model (cameras, images, points3D) read from a folder holding either the binary files
/// (cameras.bin, images.bin, points3D.bin) or the text files (cameras.txt, images.txt, points3D.txt).
/// Only the camera models <see cref="LensDistortion"/> covers are accepted. Malformed or truncated files throw
/// <see cref="DataFormatException"/> naming the file.
/// </summary>
public sealed record ColmapModel(IReadOnlyList<ColmapCamera> Cameras, IReadOnlyList<ColmapImage> Images, IReadOnlyList<ColmapPoint> Points)
{
    // COLMAP's model ids, names and parameter counts (src/colmap/sensor/models.h); ids 6.. are listed to name them in errors.
    private static readonly (string Name, int Params)[] Models =
    [
        ("SIMPLE_PINHOLE", 3), ("PINHOLE", 4), ("SIMPLE_RADIAL", 4), ("RADIAL", 5), ("OPENCV", 8), ("OPENCV_FISHEYE", 8),
        ("FULL_OPENCV", 12), ("FOV", 5), ("SIMPLE_RADIAL_FISHEYE", 4), ("RADIAL_FISHEYE", 5), ("THIN_PRISM_FISHEYE", 12),
    ];

    private const int SupportedModels = 6;

    /// <summary>True when the folder holds a binary or a text model.</summary>
    public static bool Exists(string folder) =>
        (File.Exists(Path.Combine(folder, "cameras.bin")) && File.Exists(Path.Combine(folder, "images.bin")))
        || (File.Exists(Path.Combine(folder, "cameras.txt")) && File.Exists(Path.Combine(folder, "images.txt")));

    /// <summary>Reads the model in <paramref name="folder"/>, binary when cameras.bin exists, else text. points3D is optional.</summary>
    public static ColmapModel Read(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        bool binary = File.Exists(Path.Combine(folder, "cameras.bin"));
        string ext = binary ? ".bin" : ".txt";
        string cameras = Path.Combine(folder, "cameras" + ext), images = Path.Combine(folder, "images" + ext), points = Path.Combine(folder, "points3D" + ext);
        foreach (string f in new[] { cameras, images })
        {
            if (!File.Exists(f))
            {
                throw new DataFormatException(f, "COLMAP model file does not exist");
            }
        }

        return binary
            ? new ColmapModel(ReadCamerasBin(cameras), ReadImagesBin(images), File.Exists(points) ? ReadPointsBin(points) : [])
            : new ColmapModel(ReadCamerasTxt(cameras), ReadImagesTxt(images), File.Exists(points) ? ReadPointsTxt(points) : []);
    }

    /// <summary>Writes the model as COLMAP text files (cameras.txt, images.txt, points3D.txt) into <paramref name="folder"/>.</summary>
    public void WriteText(string folder)
    {
        Directory.CreateDirectory(folder);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("# Camera list with one line of data per camera:\n#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n");
        foreach (var c in Cameras)
        {
            sb.Append(ci, $"{c.Id} {c.Model} {c.Width} {c.Height} {string.Join(' ', c.Params.Select(p => p.ToString("R", ci)))}\n");
        }

        File.WriteAllText(Path.Combine(folder, "cameras.txt"), sb.ToString());
        sb.Clear().Append("# Image list with two lines of data per image:\n#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME\n#   POINTS2D[] as (X, Y, POINT3D_ID)\n");
        foreach (var im in Images)
        {
            sb.Append(ci, $"{im.Id} {im.Qw:R} {im.Qx:R} {im.Qy:R} {im.Qz:R} {im.Tx:R} {im.Ty:R} {im.Tz:R} {im.CameraId} {im.Name}\n");
            sb.Append(string.Join(' ', im.Point3DIds.Select(id => $"0 0 {id.ToString(ci)}"))).Append('\n');
        }

        File.WriteAllText(Path.Combine(folder, "images.txt"), sb.ToString());
        sb.Clear().Append("# 3D point list with one line of data per point:\n#   POINT3D_ID, X, Y, Z, R, G, B, ERROR, TRACK[] as (IMAGE_ID, POINT2D_IDX)\n");
        foreach (var p in Points)
        {
            sb.Append(ci, $"{p.Id} {p.X:R} {p.Y:R} {p.Z:R} {p.R} {p.G} {p.B} {p.Error:R}");
            foreach (int id in p.ImageIds)
            {
                sb.Append(ci, $" {id} 0");
            }

            sb.Append('\n');
        }

        File.WriteAllText(Path.Combine(folder, "points3D.txt"), sb.ToString());
    }

    private static ColmapCamera MakeCamera(string path, int id, int modelId, string modelName, long width, long height, double[] parameters)
    {
        if (modelId >= SupportedModels || modelId < 0)
        {
            throw new DataFormatException(path, $"camera {id}: model {modelName} is not supported (SIMPLE_PINHOLE, PINHOLE, SIMPLE_RADIAL, RADIAL, OPENCV, OPENCV_FISHEYE are)");
        }

        if (width is <= 0 or > 1 << 20 || height is <= 0 or > 1 << 20)
        {
            throw new DataFormatException(path, $"camera {id}: invalid size {width}x{height}");
        }

        foreach (double p in parameters)
        {
            if (!double.IsFinite(p))
            {
                throw new DataFormatException(path, $"camera {id}: a parameter is not finite");
            }
        }

        return new ColmapCamera(id, modelName, (int)width, (int)height, parameters);
    }

    private static List<ColmapCamera> ReadCamerasBin(string path)
    {
        var r = new BinaryCursor(File.ReadAllBytes(path), path);
        long n = r.Count(24);
        var cameras = new List<ColmapCamera>();
        for (long i = 0; i < n; i++)
        {
            int id = r.Int32();
            int model = r.Int32();
            long w = r.Int64(), h = r.Int64();
            if (model < 0 || model >= Models.Length)
            {
                throw new DataFormatException(path, $"camera {id}: unknown model id {model}");
            }

            var ps = new double[Models[model].Params];
            for (int k = 0; k < ps.Length; k++)
            {
                ps[k] = r.Double();
            }

            cameras.Add(MakeCamera(path, id, model, Models[model].Name, w, h, ps));
        }

        r.ExpectEnd();
        return cameras;
    }

    private static List<ColmapImage> ReadImagesBin(string path)
    {
        var r = new BinaryCursor(File.ReadAllBytes(path), path);
        long n = r.Count(64);
        var images = new List<ColmapImage>();
        for (long i = 0; i < n; i++)
        {
            int id = r.Int32();
            double qw = r.Double(), qx = r.Double(), qy = r.Double(), qz = r.Double();
            double tx = r.Double(), ty = r.Double(), tz = r.Double();
            int cameraId = r.Int32();
            string name = r.CString();
            long points = r.Count(24);
            var ids = new long[points];
            for (long k = 0; k < points; k++)
            {
                r.Skip(16);
                ids[k] = r.Int64();
            }

            images.Add(MakeImage(path, id, [qw, qx, qy, qz, tx, ty, tz], cameraId, name, ids));
        }

        r.ExpectEnd();
        return images;
    }

    private static ColmapImage MakeImage(string path, int id, double[] qt, int cameraId, string name, long[] ids)
    {
        foreach (double v in qt)
        {
            if (!double.IsFinite(v))
            {
                throw new DataFormatException(path, $"image {id}: the pose has a non-finite value");
            }
        }

        if ((qt[0] * qt[0]) + (qt[1] * qt[1]) + (qt[2] * qt[2]) + (qt[3] * qt[3]) < 1e-12)
        {
            throw new DataFormatException(path, $"image {id}: the rotation quaternion is zero");
        }

        if (name.Length == 0)
        {
            throw new DataFormatException(path, $"image {id}: empty file name");
        }

        return new ColmapImage(id, qt[0], qt[1], qt[2], qt[3], qt[4], qt[5], qt[6], cameraId, name, ids);
    }

    private static List<ColmapPoint> ReadPointsBin(string path)
    {
        var r = new BinaryCursor(File.ReadAllBytes(path), path);
        long n = r.Count(43);
        var points = new List<ColmapPoint>();
        for (long i = 0; i < n; i++)
        {
            long id = r.Int64();
            double x = r.Double(), y = r.Double(), z = r.Double();
            byte cr = r.Byte(), cg = r.Byte(), cb = r.Byte();
            double error = r.Double();
            long track = r.Count(8);
            var imageIds = new int[track];
            for (long k = 0; k < track; k++)
            {
                imageIds[k] = r.Int32();
                r.Skip(4);
            }

            points.Add(new ColmapPoint(id, x, y, z, cr, cg, cb, error, imageIds));
        }

        r.ExpectEnd();
        return points;
    }

    private static List<ColmapCamera> ReadCamerasTxt(string path)
    {
        var cameras = new List<ColmapCamera>();
        foreach (var (line, number) in DataLines(path, skipEmpty: true))
        {
            string[] f = Split(line);
            if (f.Length < 4)
            {
                throw new DataFormatException(path, $"line {number}: expected CAMERA_ID MODEL WIDTH HEIGHT PARAMS[]");
            }

            int model = Array.FindIndex(Models, m => m.Name == f[1]);
            if (model < 0)
            {
                throw new DataFormatException(path, $"line {number}: unknown camera model '{f[1]}'");
            }

            if (f.Length != 4 + Models[model].Params)
            {
                throw new DataFormatException(path, $"line {number}: model {f[1]} has {Models[model].Params} parameters, the line has {f.Length - 4}");
            }

            cameras.Add(MakeCamera(path, ParseInt(f[0], path, number), model, f[1], ParseLong(f[2], path, number), ParseLong(f[3], path, number),
                [.. f[4..].Select(s => ParseDouble(s, path, number))]));
        }

        return cameras;
    }

    private static List<ColmapImage> ReadImagesTxt(string path)
    {
        var images = new List<ColmapImage>();
        var lines = DataLines(path, skipEmpty: false).ToList();

        // Two lines per image; the points line may be empty. Trailing empty lines are ignored.
        while (lines.Count > 0 && lines[^1].Line.Trim().Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        for (int i = 0; i < lines.Count; i += 2)
        {
            var (line, number) = lines[i];
            string[] f = Split(line);
            if (f.Length < 10)
            {
                throw new DataFormatException(path, $"line {number}: expected IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME");
            }

            double[] qt = [.. f[1..8].Select(s => ParseDouble(s, path, number))];
            string name = string.Join(' ', f[9..]);
            string[] p = i + 1 < lines.Count ? Split(lines[i + 1].Line) : [];
            if (p.Length % 3 != 0)
            {
                throw new DataFormatException(path, $"line {number + 1}: POINTS2D must be triples X Y POINT3D_ID");
            }

            var ids = new long[p.Length / 3];
            for (int k = 0; k < ids.Length; k++)
            {
                ids[k] = ParseLong(p[(3 * k) + 2], path, number + 1);
            }

            images.Add(MakeImage(path, ParseInt(f[0], path, number), qt, ParseInt(f[8], path, number), name, ids));
        }

        return images;
    }

    private static List<ColmapPoint> ReadPointsTxt(string path)
    {
        var points = new List<ColmapPoint>();
        foreach (var (line, number) in DataLines(path, skipEmpty: true))
        {
            string[] f = Split(line);
            if (f.Length < 8 || (f.Length - 8) % 2 != 0)
            {
                throw new DataFormatException(path, $"line {number}: expected POINT3D_ID X Y Z R G B ERROR TRACK[] as (IMAGE_ID, POINT2D_IDX)");
            }

            var ids = new int[(f.Length - 8) / 2];
            for (int k = 0; k < ids.Length; k++)
            {
                ids[k] = ParseInt(f[8 + (2 * k)], path, number);
            }

            points.Add(new ColmapPoint(ParseLong(f[0], path, number), ParseDouble(f[1], path, number), ParseDouble(f[2], path, number), ParseDouble(f[3], path, number),
                ParseByte(f[4], path, number), ParseByte(f[5], path, number), ParseByte(f[6], path, number), ParseDouble(f[7], path, number), ids));
        }

        return points;
    }

    private static IEnumerable<(string Line, int Number)> DataLines(string path, bool skipEmpty)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (line.StartsWith('#') || (skipEmpty && line.Trim().Length == 0))
            {
                continue;
            }

            yield return (line, number);
        }
    }

    private static string[] Split(string line) => line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);

    private static int ParseInt(string s, string path, int line) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new DataFormatException(path, $"line {line}: '{s}' is not an integer");

    private static long ParseLong(string s, string path, int line) =>
        long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : throw new DataFormatException(path, $"line {line}: '{s}' is not an integer");

    private static byte ParseByte(string s, string path, int line) =>
        byte.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out byte v) ? v : throw new DataFormatException(path, $"line {line}: '{s}' is not a colour value 0..255");

    private static double ParseDouble(string s, string path, int line) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : throw new DataFormatException(path, $"line {line}: '{s}' is not a finite number");

    /// <summary>Little-endian reads over a file's bytes; running past the end throws a truncation error naming the file.</summary>
    private sealed class BinaryCursor(byte[] data, string path)
    {
        private int pos;

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public byte Byte() => Take(1)[0];

        public void Skip(int n) => Take(n);

        /// <summary>A uint64 element count, checked against the bytes left (each element needs at least <paramref name="minBytes"/>).</summary>
        public long Count(int minBytes)
        {
            long n = Int64();
            if (n < 0 || n > (data.Length - pos) / minBytes)
            {
                throw new DataFormatException(path, $"truncated or corrupt COLMAP file: a count of {n} at byte {pos - 8} does not fit in the {data.Length - pos} bytes left");
            }

            return n;
        }

        public string CString()
        {
            int end = Array.IndexOf(data, (byte)0, pos);
            if (end < 0)
            {
                throw new DataFormatException(path, $"truncated COLMAP file: unterminated name at byte {pos}");
            }

            string s = Encoding.UTF8.GetString(data, pos, end - pos);
            pos = end + 1;
            return s;
        }

        public void ExpectEnd()
        {
            if (pos != data.Length)
            {
                throw new DataFormatException(path, $"corrupt COLMAP file: {data.Length - pos} unread bytes after the last record");
            }
        }

        private ReadOnlySpan<byte> Take(int n)
        {
            if (pos + n > data.Length)
            {
                throw new DataFormatException(path, $"truncated COLMAP file: needs {n} more bytes at byte {pos}, the file has {data.Length}");
            }

            var s = data.AsSpan(pos, n);
            pos += n;
            return s;
        }
    }
}
