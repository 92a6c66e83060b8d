using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NerfSharp.IO;

namespace NerfSharp.Export;

/// <summary>
/// Writes meshes and point clouds as PLY (Stanford polygon files), binary little-endian or ASCII: float x, y, z; float
/// nx, ny, nz when there are normals; uchar red, green, blue when there are colours; faces as a uchar-counted list of
/// int vertex indices.
/// </summary>
public static class PlyWriter
{
    public static void Write(string path, TriangleMesh mesh, bool ascii = false) =>
        Write(path, mesh.Positions, mesh.Normals, mesh.Colors, mesh.Triangles, ascii);

    public static void Write(string path, PointCloud cloud, bool ascii = false) =>
        Write(path, cloud.Positions, cloud.Normals, cloud.Colors, null, ascii);

    private static void Write(string path, float[] positions, float[]? normals, float[]? colors, int[]? triangles, bool ascii)
    {
        int vertices = positions.Length / 3;
        var header = new StringBuilder();
        header.Append("ply\n");
        header.Append(ascii ? "format ascii 1.0\n" : "format binary_little_endian 1.0\n");
        header.Append("comment written by NerfSharp\n");
        header.Append(CultureInfo.InvariantCulture, $"element vertex {vertices}\n");
        header.Append("property float x\nproperty float y\nproperty float z\n");
        if (normals != null)
        {
            header.Append("property float nx\nproperty float ny\nproperty float nz\n");
        }

        if (colors != null)
        {
            header.Append("property uchar red\nproperty uchar green\nproperty uchar blue\n");
        }

        if (triangles != null)
        {
            header.Append(CultureInfo.InvariantCulture, $"element face {triangles.Length / 3}\n");
            header.Append("property list uchar int vertex_indices\n");
        }

        header.Append("end_header\n");
        AtomicFile.Write(path, stream =>
        {
            var buffered = new BufferedStream(stream, 1 << 16);
            buffered.Write(Encoding.ASCII.GetBytes(header.ToString()));
            if (ascii)
            {
                WriteAscii(buffered, positions, normals, colors, triangles);
            }
            else
            {
                WriteBinary(buffered, positions, normals, colors, triangles);
            }

            buffered.Flush();
        });
    }

    private static void WriteBinary(Stream stream, float[] positions, float[]? normals, float[]? colors, int[]? triangles)
    {
        Span<byte> buffer = stackalloc byte[27];
        for (int v = 0; v < positions.Length; v += 3)
        {
            int n = 0;
            for (int k = 0; k < 3; k++, n += 4)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer[n..], positions[v + k]);
            }

            if (normals != null)
            {
                for (int k = 0; k < 3; k++, n += 4)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer[n..], normals[v + k]);
                }
            }

            if (colors != null)
            {
                for (int k = 0; k < 3; k++)
                {
                    buffer[n++] = ToByte(colors[v + k]);
                }
            }

            stream.Write(buffer[..n]);
        }

        if (triangles != null)
        {
            Span<byte> face = stackalloc byte[13];
            face[0] = 3;
            for (int i = 0; i < triangles.Length; i += 3)
            {
                BinaryPrimitives.WriteInt32LittleEndian(face[1..], triangles[i]);
                BinaryPrimitives.WriteInt32LittleEndian(face[5..], triangles[i + 1]);
                BinaryPrimitives.WriteInt32LittleEndian(face[9..], triangles[i + 2]);
                stream.Write(face);
            }
        }
    }

    private static void WriteAscii(Stream stream, float[] positions, float[]? normals, float[]? colors, int[]? triangles)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        CultureInfo c = CultureInfo.InvariantCulture;
        for (int v = 0; v < positions.Length; v += 3)
        {
            writer.Write(string.Create(c, $"{positions[v]:R} {positions[v + 1]:R} {positions[v + 2]:R}"));
            if (normals != null)
            {
                writer.Write(string.Create(c, $" {normals[v]:R} {normals[v + 1]:R} {normals[v + 2]:R}"));
            }

            if (colors != null)
            {
                writer.Write(string.Create(c, $" {ToByte(colors[v])} {ToByte(colors[v + 1])} {ToByte(colors[v + 2])}"));
            }

            writer.WriteLine();
        }

        if (triangles != null)
        {
            for (int i = 0; i < triangles.Length; i += 3)
            {
                writer.WriteLine(string.Create(c, $"3 {triangles[i]} {triangles[i + 1]} {triangles[i + 2]}"));
            }
        }
    }

    /// <summary>A colour channel in [0, 1] as a byte (rounded, clamped; NaN as 0).</summary>
    internal static byte ToByte(float value) => float.IsNaN(value) ? (byte)0 : (byte)Math.Clamp(MathF.Round(value * 255f), 0f, 255f);
}
