namespace NerfSharp.Numerics;

/// <summary>A 3-vector in double precision (a point or direction in world space).</summary>
public readonly record struct Vector3D(double X, double Y, double Z)
{
    public static Vector3D Zero => default;

    public double Length => Math.Sqrt((X * X) + (Y * Y) + (Z * Z));

    public static Vector3D operator +(Vector3D a, Vector3D b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    public static Vector3D operator -(Vector3D a, Vector3D b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    public static Vector3D operator *(Vector3D a, double s) => new(a.X * s, a.Y * s, a.Z * s);

    public static double Dot(Vector3D a, Vector3D b) => (a.X * b.X) + (a.Y * b.Y) + (a.Z * b.Z);

    public static Vector3D Cross(Vector3D a, Vector3D b) => new((a.Y * b.Z) - (a.Z * b.Y), (a.Z * b.X) - (a.X * b.Z), (a.X * b.Y) - (a.Y * b.X));

    /// <summary>This vector scaled to unit length (unchanged when it is zero).</summary>
    public Vector3D Normalized()
    {
        double n = Length;
        return n > 0 ? new Vector3D(X / n, Y / n, Z / n) : this;
    }
}
