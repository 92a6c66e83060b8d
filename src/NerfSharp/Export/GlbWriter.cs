using System.Runtime.InteropServices;
using NerfSharp.IO;
using SharpGLTF.Memory;
using SharpGLTF.Schema2;

namespace NerfSharp.Export;

/// <summary>
/// Writes a mesh as binary glTF 2.0 (.glb) through SharpGLTF: one node, one triangle primitive with POSITION, NORMAL
/// (when present) and COLOR_0 (when present, converted from sRGB to the linear values glTF asks for), 32-bit indices,
/// and an unlit material (KHR_materials_unlit): the colours a radiance field bakes already hold the scene's lighting.
/// </summary>
public static class GlbWriter
{
    public static void Write(string path, TriangleMesh mesh)
    {
        if (mesh.TriangleCount == 0)
        {
            throw new ArgumentException($"{path}: the mesh is empty (no surface at this threshold), so there is no glTF to write");
        }

        ModelRoot model = ModelRoot.CreateModel();
        Material material = model.CreateMaterial("radiance field colours");
        material.InitializeUnlit();
        material.DoubleSided = false;

        Mesh gltfMesh = model.CreateMesh("nerf");
        MeshPrimitive primitive = gltfMesh.CreatePrimitive();
        primitive.Material = material;
        primitive.SetVertexAccessor("POSITION", Vec3Accessor(model, "positions", mesh.Positions));
        if (mesh.Normals != null)
        {
            primitive.SetVertexAccessor("NORMAL", Vec3Accessor(model, "normals", mesh.Normals));
        }

        if (mesh.Colors != null)
        {
            var linear = new float[mesh.Colors.Length];
            for (int i = 0; i < linear.Length; i++)
            {
                linear[i] = SrgbToLinear(mesh.Colors[i]);
            }

            primitive.SetVertexAccessor("COLOR_0", Vec3Accessor(model, "colors", linear));
        }

        byte[] indexBytes = MemoryMarshal.AsBytes(mesh.Triangles.AsSpan()).ToArray();
        BufferView indexView = model.UseBufferView(indexBytes, 0, null, 0, BufferMode.ELEMENT_ARRAY_BUFFER);
        Accessor indices = model.CreateAccessor("indices");
        indices.SetIndexData(indexView, 0, mesh.Triangles.Length, IndexEncodingType.UNSIGNED_INT);
        primitive.SetIndexAccessor(indices);
        primitive.DrawPrimitiveType = PrimitiveType.TRIANGLES;

        Scene scene = model.UseScene("scene");
        scene.CreateNode("nerf").Mesh = gltfMesh;
        model.DefaultScene = scene;
        AtomicFile.Write(path, stream => model.WriteGLB(stream));
    }

    /// <summary>The sRGB transfer function's inverse on [0, 1] (values outside are clamped).</summary>
    public static float SrgbToLinear(float c)
    {
        c = float.IsNaN(c) ? 0 : Math.Clamp(c, 0f, 1f);
        return c <= 0.04045f ? c / 12.92f : MathF.Pow((c + 0.055f) / 1.055f, 2.4f);
    }

    private static Accessor Vec3Accessor(ModelRoot model, string name, float[] values)
    {
        byte[] bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        BufferView view = model.UseBufferView(bytes, 0, null, 0, BufferMode.ARRAY_BUFFER);
        Accessor accessor = model.CreateAccessor(name);
        accessor.SetVertexData(view, 0, values.Length / 3, new AttributeFormat(DimensionType.VEC3, EncodingType.FLOAT, false));
        return accessor;
    }
}
