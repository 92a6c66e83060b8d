using System.Globalization;

namespace NerfSharp.Tests.Export;

/// <summary>A small OBJ reader for the tests: v (with optional rgb), vn and triangle f lines (v, v//vn or v/vt/vn).</summary>
public sealed class ObjReader
{
    public List<float[]> Vertices { get; } = [];

    public List<float[]> Normals { get; } = [];

    /// <summary>Zero-based vertex indices of each face.</summary>
    public List<int[]> Faces { get; } = [];

    public static ObjReader Read(string path)
    {
        var obj = new ObjReader();
        foreach (string line in File.ReadLines(path))
        {
            string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length == 0 || w[0].StartsWith('#'))
            {
                continue;
            }

            switch (w[0])
            {
                case "v":
                    obj.Vertices.Add(w[1..].Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray());
                    break;
                case "vn":
                    obj.Normals.Add(w[1..].Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray());
                    break;
                case "f":
                    obj.Faces.Add(w[1..].Select(s => int.Parse(s.Split('/')[0], CultureInfo.InvariantCulture) - 1).ToArray());
                    break;
                default:
                    throw new InvalidDataException($"{path}: unexpected line '{line}'");
            }
        }

        return obj;
    }
}
