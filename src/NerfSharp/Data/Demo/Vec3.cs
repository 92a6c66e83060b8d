namespace NerfSharp.Data.Demo;

/// <summary>A double 3-vector for the demo scene's ray tracing.</summary>
internal readonly record struct Vec3(double X, double Y, double Z)
{
    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    public static Vec3 operator -(Vec3 a) => new(-a.X, -a.Y, -a.Z);

    public static Vec3 operator *(double s, Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);

    public static Vec3 operator *(Vec3 a, Vec3 b) => new(a.X * b.X, a.Y * b.Y, a.Z * b.Z);

    public static double Dot(Vec3 a, Vec3 b) => (a.X * b.X) + (a.Y * b.Y) + (a.Z * b.Z);

    public static Vec3 Cross(Vec3 a, Vec3 b) => new((a.Y * b.Z) - (a.Z * b.Y), (a.Z * b.X) - (a.X * b.Z), (a.X * b.Y) - (a.Y * b.X));

    public double Length => Math.Sqrt(Dot(this, this));

    public Vec3 Normalized()
    {
        double l = Length;
        return l > 0 ? (1.0 / l) * this : throw new ArgumentException("cannot normalise a zero vector");
    }

    public static implicit operator Vec3((double X, double Y, double Z) t) => new(t.X, t.Y, t.Z);

    public static implicit operator (double X, double Y, double Z)(Vec3 v) => (v.X, v.Y, v.Z);

    public (double X, double Y, double Z) ToTuple() => (X, Y, Z);
}
