namespace NerfSharp.Sampling;

/// <summary>
/// An axis-aligned box of world space (nerfacc's roi_aabb, instant-ngp's render aabb): the region an occupancy grid
/// covers and ray marching is confined to. Holds the min and max corners; maps world points to the unit cube
/// [0,1]^3 and back, and intersects rays with the box.
/// </summary>
public readonly struct SceneBox : IEquatable<SceneBox>
{
    public SceneBox(float minX, float minY, float minZ, float maxX, float maxY, float maxZ)
    {
        if (!(maxX > minX && maxY > minY && maxZ > minZ) || !float.IsFinite(minX + minY + minZ + maxX + maxY + maxZ))
        {
            throw new ArgumentException($"a scene box needs finite corners with max > min on every axis, got ({minX}, {minY}, {minZ}) .. ({maxX}, {maxY}, {maxZ})");
        }

        MinX = minX;
        MinY = minY;
        MinZ = minZ;
        MaxX = maxX;
        MaxY = maxY;
        MaxZ = maxZ;
    }

    public float MinX { get; }

    public float MinY { get; }

    public float MinZ { get; }

    public float MaxX { get; }

    public float MaxY { get; }

    public float MaxZ { get; }

    public float SizeX => MaxX - MinX;

    public float SizeY => MaxY - MinY;

    public float SizeZ => MaxZ - MinZ;

    /// <summary>Length of the box's main diagonal (sqrt(3) times the side for a cube).</summary>
    public float Diagonal => MathF.Sqrt((SizeX * SizeX) + (SizeY * SizeY) + (SizeZ * SizeZ));

    public static bool operator ==(SceneBox left, SceneBox right) => left.Equals(right);

    public static bool operator !=(SceneBox left, SceneBox right) => !left.Equals(right);

    /// <summary>The cube [-halfSize, halfSize]^3 centred on (cx, cy, cz).</summary>
    public static SceneBox Cube(float halfSize, float cx = 0, float cy = 0, float cz = 0) =>
        new(cx - halfSize, cy - halfSize, cz - halfSize, cx + halfSize, cy + halfSize, cz + halfSize);

    /// <summary>Whether the world point lies in the closed box.</summary>
    public bool Contains(float x, float y, float z) =>
        x >= MinX && x <= MaxX && y >= MinY && y <= MaxY && z >= MinZ && z <= MaxZ;

    /// <summary>World point -> unit-cube coordinates (0 at the min corner, 1 at the max corner; not clamped).</summary>
    public (float U, float V, float W) ToUnit(float x, float y, float z) =>
        ((x - MinX) / SizeX, (y - MinY) / SizeY, (z - MinZ) / SizeZ);

    /// <summary>Unit-cube coordinates -> world point (the inverse of <see cref="ToUnit"/>).</summary>
    public (float X, float Y, float Z) FromUnit(float u, float v, float w) =>
        (MinX + (u * SizeX), MinY + (v * SizeY), MinZ + (w * SizeZ));

    /// <summary>
    /// Slab test for the ray o + t d (d need not be normalised; t is in units of d). On a hit, returns true with the
    /// entry and exit parameters (tEnter may be negative when the origin is inside). A direction component of 0
    /// constrains nothing if the origin lies within that slab and misses otherwise. A zero direction misses.
    /// </summary>
    public bool Intersect(float ox, float oy, float oz, float dx, float dy, float dz, out float tEnter, out float tExit)
    {
        tEnter = float.NegativeInfinity;
        tExit = float.PositiveInfinity;
        bool hit = Slab(ox, dx, MinX, MaxX, ref tEnter, ref tExit)
            && Slab(oy, dy, MinY, MaxY, ref tEnter, ref tExit)
            && Slab(oz, dz, MinZ, MaxZ, ref tEnter, ref tExit)
            && tEnter <= tExit
            && !float.IsInfinity(tExit);
        if (!hit)
        {
            tEnter = tExit = 0;
        }

        return hit;
    }

    public bool Equals(SceneBox other) =>
        MinX == other.MinX && MinY == other.MinY && MinZ == other.MinZ && MaxX == other.MaxX && MaxY == other.MaxY && MaxZ == other.MaxZ;

    public override bool Equals(object? obj) => obj is SceneBox other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(MinX, MinY, MinZ, MaxX, MaxY, MaxZ);

    public override string ToString() => $"[({MinX}, {MinY}, {MinZ}) .. ({MaxX}, {MaxY}, {MaxZ})]";

    private static bool Slab(float o, float d, float min, float max, ref float tEnter, ref float tExit)
    {
        if (d == 0)
        {
            return o >= min && o <= max;
        }

        float inv = 1.0f / d;
        float t0 = (min - o) * inv, t1 = (max - o) * inv;
        if (t0 > t1)
        {
            (t0, t1) = (t1, t0);
        }

        tEnter = MathF.Max(tEnter, t0);
        tExit = MathF.Min(tExit, t1);
        return true;
    }
}
