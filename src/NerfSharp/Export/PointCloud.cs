namespace NerfSharp.Export;

/// <summary>Points (xyz each) with colours (rgb each, in [0, 1], sRGB-encoded as the training images are) and, when known, unit normals (xyz each).</summary>
public sealed class PointCloud
{
    public PointCloud(float[] positions, float[] colors, float[]? normals = null)
    {
        if (positions.Length % 3 != 0 || colors.Length != positions.Length || (normals != null && normals.Length != positions.Length))
        {
            throw new ArgumentException($"a point cloud needs three position, colour (and normal) values per point, got {positions.Length}, {colors.Length} and {normals?.Length}");
        }

        Positions = positions;
        Colors = colors;
        Normals = normals;
    }

    public float[] Positions { get; }

    public float[] Colors { get; }

    public float[]? Normals { get; }

    public int Count => Positions.Length / 3;
}
