using System.Globalization;
using System.Text;
using NerfSharp.IO;

namespace NerfSharp.Export;

/// <summary>
/// Writes a mesh as Wavefront OBJ: <c>v x y z [r g b]</c> (vertex colours in [0, 1], the extension Blender, MeshLab and
/// Open3D read), <c>vn</c> normals when there are some, and triangles as 1-based <c>f a//a b//b c//c</c>.
/// </summary>
public static class ObjWriter
{
    public static void Write(string path, TriangleMesh mesh)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            CultureInfo c = CultureInfo.InvariantCulture;
            writer.WriteLine("# written by NerfSharp");
            writer.WriteLine(string.Create(c, $"# {mesh.VertexCount} vertices, {mesh.TriangleCount} triangles"));
            float[] p = mesh.Positions;
            for (int v = 0; v < p.Length; v += 3)
            {
                writer.Write(string.Create(c, $"v {p[v]:R} {p[v + 1]:R} {p[v + 2]:R}"));
                if (mesh.Colors is { } rgb)
                {
                    writer.Write(string.Create(c, $" {Math.Clamp(rgb[v], 0, 1):0.####} {Math.Clamp(rgb[v + 1], 0, 1):0.####} {Math.Clamp(rgb[v + 2], 0, 1):0.####}"));
                }

                writer.WriteLine();
            }

            if (mesh.Normals is { } n)
            {
                for (int v = 0; v < n.Length; v += 3)
                {
                    writer.WriteLine(string.Create(c, $"vn {n[v]:R} {n[v + 1]:R} {n[v + 2]:R}"));
                }
            }

            int[] t = mesh.Triangles;
            for (int i = 0; i < t.Length; i += 3)
            {
                int a = t[i] + 1, b = t[i + 1] + 1, d = t[i + 2] + 1;
                writer.WriteLine(mesh.Normals != null
                    ? string.Create(c, $"f {a}//{a} {b}//{b} {d}//{d}")
                    : string.Create(c, $"f {a} {b} {d}"));
            }
        });
    }
}
