namespace NerfSharp.Numerics;

/// <summary>
/// A camera-to-world rigid transform as a 3x4 row-major matrix [R | t] in double precision.
/// The camera convention is OpenGL's (x right, y up, the camera looks down -z), as in the
/// Blender synthetic scenes and nerf-pytorch; every format is converted to it by its parser.
/// </summary>
public readonly struct Pose : IEquatable<Pose>
{
    private readonly double[] m;

    public Pose(ReadOnlySpan<double> rowMajor3x4)
    {
        if (rowMajor3x4.Length != 12)
        {
            throw new ArgumentException("a pose has 12 values (3x4 row-major)", nameof(rowMajor3x4));
        }

        m = rowMajor3x4.ToArray();
    }

    public static Pose Identity => new([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);

    public double this[int row, int col] => m[(row * 4) + col];

    public ReadOnlySpan<double> Values => m;

    /// <summary>Camera centre in world coordinates.</summary>
    public (double X, double Y, double Z) Origin => (m[3], m[7], m[11]);

    /// <summary>Rotates a camera-space direction into world space.</summary>
    public (double X, double Y, double Z) RotateToWorld(double x, double y, double z) =>
        ((m[0] * x) + (m[1] * y) + (m[2] * z),
         (m[4] * x) + (m[5] * y) + (m[6] * z),
         (m[8] * x) + (m[9] * y) + (m[10] * z));

    /// <summary>this * other, both read as 4x4 matrices with bottom row [0 0 0 1].</summary>
    public Pose Compose(Pose other)
    {
        var r = new double[12];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                double s = j == 3 ? m[(i * 4) + 3] : 0.0;
                for (int k = 0; k < 3; k++)
                {
                    s += m[(i * 4) + k] * other.m[(k * 4) + j];
                }

                r[(i * 4) + j] = s;
            }
        }

        return new Pose(r);
    }

    public bool Equals(Pose other) => m.AsSpan().SequenceEqual(other.m);

    public override bool Equals(object? obj) => obj is Pose p && Equals(p);

    public override int GetHashCode() => HashCode.Combine(m[3], m[7], m[11]);
}
