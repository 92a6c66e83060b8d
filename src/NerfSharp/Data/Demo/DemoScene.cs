namespace NerfSharp.Data.Demo;

/// <summary>
/// The procedural demo scene, analytic so tests can check renders against exact geometry. World z is up (Blender).
/// Three objects inside [-1.2, 1.2]^3: a sphere with a checker texture in longitude/latitude, a box rotated about z
/// with stripes up its sides, and a checkered ground disc at z = 0. One white directional light, hard shadows,
/// Blinn-Phong shading (ambient + diffuse + a view-dependent specular highlight). Cameras sit at radius 4 around the
/// origin, so every surface lies between <see cref="Near"/> and <see cref="Far"/> along any camera ray.
/// </summary>
public static class DemoScene
{
    /// <summary>Distance of every demo camera from the origin.</summary>
    public const double CameraRadius = 4.0;

    /// <summary>Horizontal field of view in radians (the lego scene's camera_angle_x).</summary>
    public const double CameraAngleX = 0.6911112070083618;

    public const double Near = 2.0;

    public const double Far = 6.0;

    /// <summary>All geometry lies inside the cube [-HalfExtent, HalfExtent]^3.</summary>
    public const double HalfExtent = 1.2;

    public static readonly (double X, double Y, double Z) SphereCenter = (0.3, -0.25, 0.5);
    public const double SphereRadius = 0.5;
    public static readonly (double X, double Y, double Z) BoxCenter = (-0.45, 0.4, 0.3);
    public static readonly (double X, double Y, double Z) BoxHalfSize = (0.28, 0.22, 0.3);

    /// <summary>Rotation of the box about the world z axis, radians.</summary>
    public const double BoxAngle = 25 * Math.PI / 180;
    public const double GroundRadius = 1.1;

    /// <summary>Unit vector towards the light.</summary>
    public static readonly (double X, double Y, double Z) LightDirection = new Vec3(0.5, -0.4, 0.75).Normalized().ToTuple();

    /// <summary>
    /// Where in a pixel the antialiasing rays go, as offsets from the pixel's top-left corner: a rotated 2x2 grid.
    /// Pixel (x, y) is the square [x, x + 1] x [y, y + 1] as in Blender's renders.
    /// </summary>
    public static IReadOnlyList<(double U, double V)> SubpixelOffsets { get; } = [(0.375, 0.125), (0.875, 0.375), (0.125, 0.625), (0.625, 0.875)];

    private const double Ambient = 0.25;
    private const double Diffuse = 0.75;
    private const double Epsilon = 1e-9;
    private static readonly Vec3 SphereC = SphereCenter;
    private static readonly Vec3 BoxC = BoxCenter;
    private static readonly Vec3 BoxH = BoxHalfSize;
    private static readonly double BoxCos = Math.Cos(BoxAngle), BoxSin = Math.Sin(BoxAngle);
    private static readonly Vec3 Light = LightDirection;

    /// <summary>The first surface along a ray: distance (in units of the direction's length), point, outward normal, object.</summary>
    public readonly record struct Hit(double Distance, (double X, double Y, double Z) Point, (double X, double Y, double Z) Normal, DemoSceneObject Object)
    {
        public bool IsHit => Object != DemoSceneObject.None;
    }

    /// <summary>Euclidean distance from <paramref name="origin"/> to the first surface along <paramref name="direction"/> (any length), +inf if none.</summary>
    public static double Intersect((double X, double Y, double Z) origin, (double X, double Y, double Z) direction)
    {
        Vec3 d = direction;
        var h = Trace(origin, d.Normalized());
        return h.Distance;
    }

    /// <summary>The first surface along the ray origin + t * direction, t &gt; 0 (Distance = t, +inf and Object = None when it hits nothing).</summary>
    public static Hit Trace((double X, double Y, double Z) origin, (double X, double Y, double Z) direction)
    {
        Vec3 o = origin, d = direction;
        double best = double.PositiveInfinity;
        var obj = DemoSceneObject.None;
        Vec3 normal = default;

        double t = IntersectSphere(o, d);
        if (t < best)
        {
            best = t;
            obj = DemoSceneObject.Sphere;
            normal = ((o + (t * d)) - SphereC).Normalized();
        }

        t = IntersectBox(o, d, out Vec3 boxNormal);
        if (t < best)
        {
            best = t;
            obj = DemoSceneObject.Box;
            normal = boxNormal;
        }

        t = IntersectGround(o, d);
        if (t < best)
        {
            best = t;
            obj = DemoSceneObject.Ground;
            normal = new Vec3(0, 0, 1);
        }

        return obj == DemoSceneObject.None
            ? new Hit(double.PositiveInfinity, (double.NaN, double.NaN, double.NaN), (double.NaN, double.NaN, double.NaN), DemoSceneObject.None)
            : new Hit(best, (o + (best * d)).ToTuple(), normal.ToTuple(), obj);
    }

    /// <summary>
    /// The colour seen along one ray: (r, g, b, 1) on a surface, (0, 0, 0, 0) on the background.
    /// Depends on the viewing direction through the specular term.
    /// </summary>
    public static (double R, double G, double B, double A) Shade((double X, double Y, double Z) origin, (double X, double Y, double Z) direction)
    {
        Vec3 d = ((Vec3)direction).Normalized();
        var h = Trace(origin, d);
        if (!h.IsHit)
        {
            return (0, 0, 0, 0);
        }

        Vec3 p = h.Point, n = h.Normal;
        Vec3 toEye = -d;
        if (Vec3.Dot(n, toEye) < 0)
        {
            n = -n; // the ground disc is two-sided
        }

        var (albedo, specular, shininess) = Material(h.Object, p);
        double lit = Vec3.Dot(n, Light) > 0 && !Trace((p + (1e-7 * n)).ToTuple(), LightDirection).IsHit ? 1.0 : 0.0;
        double diffuse = lit * Math.Max(0, Vec3.Dot(n, Light));
        Vec3 half = (Light + toEye).Normalized();
        double highlight = lit * specular * Math.Pow(Math.Max(0, Vec3.Dot(n, half)), shininess);
        Vec3 c = ((Ambient + (Diffuse * diffuse)) * albedo) + new Vec3(highlight, highlight, highlight);
        return (Math.Min(1, c.X), Math.Min(1, c.Y), Math.Min(1, c.Z), 1);
    }

    /// <summary>Albedo (the texture), specular strength and Blinn-Phong exponent at a surface point.</summary>
    private static (Vec3 Albedo, double Specular, double Shininess) Material(DemoSceneObject obj, Vec3 p)
    {
        switch (obj)
        {
            case DemoSceneObject.Sphere:
            {
                // 12 x 6 checker in longitude / colatitude.
                Vec3 q = p - SphereC;
                double phi = Math.Atan2(q.Y, q.X) + Math.PI;
                double theta = Math.Acos(Math.Clamp(q.Z / SphereRadius, -1, 1));
                int cell = (int)Math.Floor(phi / (2 * Math.PI) * 12) + (int)Math.Floor(theta / Math.PI * 6);
                return ((cell & 1) == 0 ? new Vec3(0.85, 0.18, 0.12) : new Vec3(0.95, 0.88, 0.62), 0.7, 48);
            }

            case DemoSceneObject.Box:
            {
                // Horizontal stripes, 0.1 high, up the box.
                int stripe = (int)Math.Floor((p.Z - (BoxC.Z - BoxH.Z)) * 10);
                return ((stripe & 1) == 0 ? new Vec3(0.1, 0.45, 0.6) : new Vec3(0.25, 0.7, 0.72), 0.4, 24);
            }

            default:
            {
                // 0.25 checker on the ground.
                int cell = (int)Math.Floor(p.X * 4) + (int)Math.Floor(p.Y * 4);
                return ((cell & 1) == 0 ? new Vec3(0.8, 0.78, 0.72) : new Vec3(0.3, 0.35, 0.45), 0.2, 12);
            }
        }
    }

    private static double IntersectSphere(Vec3 o, Vec3 d)
    {
        Vec3 oc = o - SphereC;
        double a = Vec3.Dot(d, d);
        double b = Vec3.Dot(oc, d);
        double c = Vec3.Dot(oc, oc) - (SphereRadius * SphereRadius);
        double disc = (b * b) - (a * c);
        if (disc < 0)
        {
            return double.PositiveInfinity;
        }

        double s = Math.Sqrt(disc);
        double t = (-b - s) / a;
        if (t > Epsilon)
        {
            return t;
        }

        t = (-b + s) / a;
        return t > Epsilon ? t : double.PositiveInfinity;
    }

    /// <summary>Slab test in the box's frame (rotated by -BoxAngle about z); the normal is that of the entry face.</summary>
    private static double IntersectBox(Vec3 o, Vec3 d, out Vec3 normal)
    {
        normal = default;
        Vec3 q = o - BoxC;
        var lo = new Vec3((BoxCos * q.X) + (BoxSin * q.Y), (-BoxSin * q.X) + (BoxCos * q.Y), q.Z);
        var ld = new Vec3((BoxCos * d.X) + (BoxSin * d.Y), (-BoxSin * d.X) + (BoxCos * d.Y), d.Z);
        double tNear = double.NegativeInfinity, tFar = double.PositiveInfinity;
        int axis = -1;
        double sign = 0;
        for (int k = 0; k < 3; k++)
        {
            double oo = k == 0 ? lo.X : k == 1 ? lo.Y : lo.Z;
            double dd = k == 0 ? ld.X : k == 1 ? ld.Y : ld.Z;
            double h = k == 0 ? BoxH.X : k == 1 ? BoxH.Y : BoxH.Z;
            if (dd == 0)
            {
                if (Math.Abs(oo) > h)
                {
                    return double.PositiveInfinity;
                }

                continue;
            }

            double t1 = (-h - oo) / dd, t2 = (h - oo) / dd;
            double entrySign = -1;
            if (t1 > t2)
            {
                (t1, t2) = (t2, t1);
                entrySign = 1;
            }

            if (t1 > tNear)
            {
                tNear = t1;
                axis = k;
                sign = entrySign;
            }

            tFar = Math.Min(tFar, t2);
        }

        if (tNear > tFar || tNear <= Epsilon || axis < 0)
        {
            return double.PositiveInfinity; // a miss, or the ray starts inside the box (never the case for cameras)
        }

        var local = axis == 0 ? new Vec3(sign, 0, 0) : axis == 1 ? new Vec3(0, sign, 0) : new Vec3(0, 0, sign);
        normal = new Vec3((BoxCos * local.X) - (BoxSin * local.Y), (BoxSin * local.X) + (BoxCos * local.Y), local.Z);
        return tNear;
    }

    private static double IntersectGround(Vec3 o, Vec3 d)
    {
        if (d.Z == 0)
        {
            return double.PositiveInfinity;
        }

        double t = -o.Z / d.Z;
        if (t <= Epsilon)
        {
            return double.PositiveInfinity;
        }

        double x = o.X + (t * d.X), y = o.Y + (t * d.Y);
        return (x * x) + (y * y) <= GroundRadius * GroundRadius ? t : double.PositiveInfinity;
    }
}
