using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// A rotation as a unit quaternion w + x i + y j + z k in double precision, with the operations that camera-path
/// interpolation needs: conversion from and to a pose's rotation block, product, logarithm and exponential, slerp and
/// squad (Shoemake's spherical cubic).
/// </summary>
public readonly record struct UnitQuaternion(double W, double X, double Y, double Z)
{
    public static UnitQuaternion Identity => new(1, 0, 0, 0);

    /// <summary>The rotation block of <paramref name="pose"/> (assumed orthonormal) as a unit quaternion with W &gt;= 0.</summary>
    public static UnitQuaternion FromPose(Pose pose)
    {
        double m00 = pose[0, 0], m11 = pose[1, 1], m22 = pose[2, 2];
        double trace = m00 + m11 + m22;
        UnitQuaternion q;

        // Shepperd's method: take the square root of the largest of 1 + trace and 1 + 2 m_ii - trace, so it is never near zero.
        if (trace > Math.Max(m00, Math.Max(m11, m22)))
        {
            double s = 2 * Math.Sqrt(1 + trace);
            q = new UnitQuaternion(0.25 * s, (pose[2, 1] - pose[1, 2]) / s, (pose[0, 2] - pose[2, 0]) / s, (pose[1, 0] - pose[0, 1]) / s);
        }
        else if (m00 >= m11 && m00 >= m22)
        {
            double s = 2 * Math.Sqrt(1 + m00 - m11 - m22);
            q = new UnitQuaternion((pose[2, 1] - pose[1, 2]) / s, 0.25 * s, (pose[0, 1] + pose[1, 0]) / s, (pose[0, 2] + pose[2, 0]) / s);
        }
        else if (m11 >= m22)
        {
            double s = 2 * Math.Sqrt(1 - m00 + m11 - m22);
            q = new UnitQuaternion((pose[0, 2] - pose[2, 0]) / s, (pose[0, 1] + pose[1, 0]) / s, 0.25 * s, (pose[1, 2] + pose[2, 1]) / s);
        }
        else
        {
            double s = 2 * Math.Sqrt(1 - m00 - m11 + m22);
            q = new UnitQuaternion((pose[1, 0] - pose[0, 1]) / s, (pose[0, 2] + pose[2, 0]) / s, (pose[1, 2] + pose[2, 1]) / s, 0.25 * s);
        }

        q = q.Normalized();
        return q.W < 0 ? -q : q;
    }

    /// <summary>The pose with this rotation and camera centre (<paramref name="x"/>, <paramref name="y"/>, <paramref name="z"/>).</summary>
    public Pose ToPose(double x, double y, double z)
    {
        UnitQuaternion q = Normalized();
        double ww = q.W * q.W, xx = q.X * q.X, yy = q.Y * q.Y, zz = q.Z * q.Z;
        double xy = q.X * q.Y, xz = q.X * q.Z, yz = q.Y * q.Z, wx = q.W * q.X, wy = q.W * q.Y, wz = q.W * q.Z;
        return new Pose(
        [
            ww + xx - yy - zz, 2 * (xy - wz), 2 * (xz + wy), x,
            2 * (xy + wz), ww - xx + yy - zz, 2 * (yz - wx), y,
            2 * (xz - wy), 2 * (yz + wx), ww - xx - yy + zz, z,
        ]);
    }

    public static UnitQuaternion operator -(UnitQuaternion q) => new(-q.W, -q.X, -q.Y, -q.Z);

    public static UnitQuaternion operator *(UnitQuaternion a, UnitQuaternion b) => new(
        (a.W * b.W) - (a.X * b.X) - (a.Y * b.Y) - (a.Z * b.Z),
        (a.W * b.X) + (a.X * b.W) + (a.Y * b.Z) - (a.Z * b.Y),
        (a.W * b.Y) - (a.X * b.Z) + (a.Y * b.W) + (a.Z * b.X),
        (a.W * b.Z) + (a.X * b.Y) - (a.Y * b.X) + (a.Z * b.W));

    public UnitQuaternion Conjugate() => new(W, -X, -Y, -Z);

    public static double Dot(UnitQuaternion a, UnitQuaternion b) => (a.W * b.W) + (a.X * b.X) + (a.Y * b.Y) + (a.Z * b.Z);

    public UnitQuaternion Normalized()
    {
        double n = Math.Sqrt((W * W) + (X * X) + (Y * Y) + (Z * Z));
        return n > 0 ? new UnitQuaternion(W / n, X / n, Y / n, Z / n) : Identity;
    }

    /// <summary>The logarithm of a unit quaternion: the pure quaternion (half the rotation angle times the axis), returned as its vector part.</summary>
    public (double X, double Y, double Z) Log()
    {
        double v = Math.Sqrt((X * X) + (Y * Y) + (Z * Z));
        if (v < 1e-12)
        {
            return (X, Y, Z);
        }

        double angle = Math.Atan2(v, W);
        return (X * angle / v, Y * angle / v, Z * angle / v);
    }

    /// <summary>exp of the pure quaternion with vector part (<paramref name="x"/>, <paramref name="y"/>, <paramref name="z"/>).</summary>
    public static UnitQuaternion Exp(double x, double y, double z)
    {
        double a = Math.Sqrt((x * x) + (y * y) + (z * z));
        if (a < 1e-12)
        {
            return new UnitQuaternion(1, x, y, z).Normalized();
        }

        double s = Math.Sin(a) / a;
        return new UnitQuaternion(Math.Cos(a), x * s, y * s, z * s);
    }

    /// <summary>Spherical linear interpolation from <paramref name="a"/> (t = 0) to <paramref name="b"/> (t = 1) along the arc between them as given (no sign flip).</summary>
    public static UnitQuaternion Slerp(UnitQuaternion a, UnitQuaternion b, double t)
    {
        var (x, y, z) = (a.Conjugate() * b).Log();
        return (a * Exp(x * t, y * t, z * t)).Normalized();
    }

    /// <summary>
    /// Shoemake's squad between <paramref name="q0"/> and <paramref name="q1"/> with inner control points <paramref name="s0"/> and
    /// <paramref name="s1"/>: slerp(slerp(q0, q1, t), slerp(s0, s1, t), 2t(1 - t)). It passes through q0 at t = 0 and q1 at t = 1.
    /// </summary>
    public static UnitQuaternion Squad(UnitQuaternion q0, UnitQuaternion s0, UnitQuaternion s1, UnitQuaternion q1, double t) =>
        Slerp(Slerp(q0, q1, t), Slerp(s0, s1, t), 2 * t * (1 - t));

    /// <summary>
    /// Squad's inner control point at <paramref name="q"/> between neighbours <paramref name="previous"/> and <paramref name="next"/>:
    /// q exp(-(1 - tension) (log(q^-1 next) + log(q^-1 previous)) / 4). Tension 0 gives Catmull-Rom-like tangents, 1 stops at q.
    /// </summary>
    public static UnitQuaternion InnerControlPoint(UnitQuaternion previous, UnitQuaternion q, UnitQuaternion next, double tension)
    {
        var (ax, ay, az) = (q.Conjugate() * next).Log();
        var (bx, by, bz) = (q.Conjugate() * previous).Log();
        double f = -(1 - tension) / 4;
        return (q * Exp((ax + bx) * f, (ay + by) * f, (az + bz) * f)).Normalized();
    }
}
