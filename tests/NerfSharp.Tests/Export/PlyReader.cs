using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace NerfSharp.Tests.Export;

/// <summary>
/// A small PLY reader for the tests (ascii and binary little-endian; float, uchar and int properties; face lists with a
/// uchar count): what a tool opening our files would see.
/// </summary>
public sealed class PlyReader
{
    public List<float[]> Vertices { get; } = [];

    public List<string> VertexProperties { get; } = [];

    public List<int[]> Faces { get; } = [];

    public string Format { get; private set; } = "";

    public float Get(int vertex, string property) => Vertices[vertex][VertexProperties.IndexOf(property)];

    public static PlyReader Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int end = IndexOf(bytes, "end_header\n"u8) + "end_header\n".Length;
        Assert.True(end > 0, $"{path}: no end_header");
        string[] header = Encoding.ASCII.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ply", header[0]);
        var ply = new PlyReader();
        var types = new List<string>();
        int vertices = 0, faces = 0;
        string element = "";
        foreach (string line in header[1..])
        {
            string[] w = line.Split(' ');
            switch (w[0])
            {
                case "format":
                    ply.Format = w[1];
                    break;
                case "element":
                    element = w[1];
                    if (element == "vertex")
                    {
                        vertices = int.Parse(w[2], CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        Assert.Equal("face", element);
                        faces = int.Parse(w[2], CultureInfo.InvariantCulture);
                    }

                    break;
                case "property" when element == "vertex":
                    types.Add(w[1]);
                    ply.VertexProperties.Add(w[2]);
                    break;
                case "property":
                    Assert.Equal("property list uchar int vertex_indices", line);
                    break;
            }
        }

        if (ply.Format == "ascii")
        {
            string[] lines = Encoding.ASCII.GetString(bytes, end, bytes.Length - end).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(vertices + faces, lines.Length);
            for (int v = 0; v < vertices; v++)
            {
                ply.Vertices.Add(lines[v].Split(' ').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray());
            }

            for (int f = 0; f < faces; f++)
            {
                int[] w = lines[vertices + f].Split(' ').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(w[0], w.Length - 1);
                ply.Faces.Add(w[1..]);
            }

            return ply;
        }

        Assert.Equal("binary_little_endian", ply.Format);
        int at = end;
        for (int v = 0; v < vertices; v++)
        {
            var values = new float[types.Count];
            for (int p = 0; p < types.Count; p++)
            {
                switch (types[p])
                {
                    case "float":
                        values[p] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at));
                        at += 4;
                        break;
                    case "uchar":
                        values[p] = bytes[at++];
                        break;
                    default:
                        throw new InvalidDataException($"property type {types[p]}");
                }
            }

            ply.Vertices.Add(values);
        }

        for (int f = 0; f < faces; f++)
        {
            int n = bytes[at++];
            var face = new int[n];
            for (int k = 0; k < n; k++, at += 4)
            {
                face[k] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            }

            ply.Faces.Add(face);
        }

        Assert.Equal(bytes.Length, at);
        return ply;
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> pattern) => bytes.AsSpan().IndexOf(pattern);
}
