using NerfSharp.Data.Demo;

namespace NerfSharp.Tests.Export;

/// <summary>Distance from a point to the nearest surface of the demo scene (sphere, rotated box, ground disc).</summary>
public static class DemoSurfaces
{
    public static double Distance(double x, double y, double z)
    {
        var (sx, sy, sz) = DemoScene.SphereCenter;
        double sphere = Math.Abs(Math.Sqrt(((x - sx) * (x - sx)) + ((y - sy) * (y - sy)) + ((z - sz) * (z - sz))) - DemoScene.SphereRadius);

        double radial = Math.Sqrt((x * x) + (y * y));
        double ground = radial <= DemoScene.GroundRadius ? Math.Abs(z) : Math.Sqrt(Math.Pow(radial - DemoScene.GroundRadius, 2) + (z * z));

        // The box in its own frame (rotated by -BoxAngle about z), then the distance to its surface from inside or outside.
        var (bx, by, bz) = DemoScene.BoxCenter;
        var (hx, hy, hz) = DemoScene.BoxHalfSize;
        double c = Math.Cos(DemoScene.BoxAngle), s = Math.Sin(DemoScene.BoxAngle);
        double qx = Math.Abs((c * (x - bx)) + (s * (y - by))) - hx;
        double qy = Math.Abs((-s * (x - bx)) + (c * (y - by))) - hy;
        double qz = Math.Abs(z - bz) - hz;
        double outside = Math.Sqrt(Math.Pow(Math.Max(qx, 0), 2) + Math.Pow(Math.Max(qy, 0), 2) + Math.Pow(Math.Max(qz, 0), 2));
        double box = Math.Abs(outside + Math.Min(Math.Max(qx, Math.Max(qy, qz)), 0));

        return Math.Min(sphere, Math.Min(ground, box));
    }
}
