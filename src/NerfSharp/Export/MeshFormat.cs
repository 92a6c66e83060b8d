namespace NerfSharp.Export;

/// <summary>The file formats a mesh can be exported to.</summary>
public enum MeshFormat
{
    /// <summary>Binary glTF 2.0 (Blender, Godot, Unity, three.js).</summary>
    Glb,

    /// <summary>Binary little-endian PLY with normals and 8-bit colours.</summary>
    Ply,

    /// <summary>Wavefront OBJ with vertex colours and normals.</summary>
    Obj,
}

/// <summary>Parsing and writing of <see cref="MeshFormat"/>s.</summary>
public static class MeshFormats
{
    public static MeshFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "glb" => MeshFormat.Glb,
        "ply" => MeshFormat.Ply,
        "obj" => MeshFormat.Obj,
        _ => throw new ArgumentException($"unknown mesh format '{name}' (use glb, ply or obj)"),
    };

    /// <summary>The format a file name's extension names, or null.</summary>
    public static MeshFormat? FromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".glb" => MeshFormat.Glb,
        ".ply" => MeshFormat.Ply,
        ".obj" => MeshFormat.Obj,
        _ => null,
    };

    public static void Write(string path, TriangleMesh mesh, MeshFormat format)
    {
        switch (format)
        {
            case MeshFormat.Glb:
                GlbWriter.Write(path, mesh);
                break;
            case MeshFormat.Ply:
                PlyWriter.Write(path, mesh);
                break;
            default:
                ObjWriter.Write(path, mesh);
                break;
        }
    }
}
