using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// Render paths from nerf-pytorch: the orbit around a 360-degree (Blender) scene and the LLFF
/// spiral in front of a forward-facing scene. Poses are camera-to-world, OpenGL camera.
/// </summary>
public static class CameraPaths
{
    /// <summary>
    /// nerf-pytorch's <c>pose_spherical</c>: translate by radius along z, tilt by phi about x, turn by theta
    /// about y, then the fixed matrix [[-1,0,0],[0,0,1],[0,1,0]] that maps the result into the Blender
    /// world (z up). With phi = -30 the camera sits 30 degrees above the xy plane looking at the origin.
    /// Computed in double (nerf-pytorch builds these matrices in float32).
    /// </summary>
    public static Pose PoseSpherical(double thetaDeg, double phiDeg, double radius)
    {
        double phi = phiDeg / 180.0 * Math.PI;
        double theta = thetaDeg / 180.0 * Math.PI;
        var transT = new Pose([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, radius]);
        var rotPhi = new Pose([1, 0, 0, 0, 0, Math.Cos(phi), -Math.Sin(phi), 0, 0, Math.Sin(phi), Math.Cos(phi), 0]);
        var rotTheta = new Pose([Math.Cos(theta), 0, -Math.Sin(theta), 0, 0, 1, 0, 0, Math.Sin(theta), 0, Math.Cos(theta), 0]);
        var blenderAxes = new Pose([-1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
        return blenderAxes.Compose(rotTheta.Compose(rotPhi.Compose(transT)));
    }

    /// <summary>
    /// nerf-pytorch's Blender render path: <paramref name="frames"/> poses with theta =
    /// linspace(-180, 180, frames + 1)[:-1], fixed elevation <paramref name="phiDeg"/> and radius.
    /// </summary>
    public static IReadOnlyList<Pose> SphericalPath(int frames = 40, double phiDeg = -30, double radius = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        var poses = new Pose[frames];
        for (int k = 0; k < frames; k++)
        {
            double theta = -180.0 + (360.0 * k / frames);
            poses[k] = PoseSpherical(theta, phiDeg, radius);
        }

        return poses;
    }

    /// <summary>
    /// LLFF's <c>render_path_spiral</c> as load_llff_data sets it up (path_zflat off): around the average
    /// pose (<c>poses_avg</c>: mean centre, summed z axes, summed y axes as up), with radii the 90th
    /// percentile of |camera position| per axis, focus depth 1 / (0.25 / (0.9 near) + 0.75 / (5 far)),
    /// z rate 0.5 and <paramref name="rotations"/> turns over <paramref name="frames"/> poses, each looking
    /// at the focus point. <paramref name="poses"/> are the training poses in the frame nerf-pytorch
    /// uses at this point (rescaled by the bound factor and recentred); <paramref name="near"/> and
    /// <paramref name="far"/> are the smallest and largest scene bounds in that frame.
    /// </summary>
    public static IReadOnlyList<Pose> Spiral(IReadOnlyList<Pose> poses, double near, double far, int frames = 120, int rotations = 2)
    {
        ArgumentNullException.ThrowIfNull(poses);
        if (poses.Count == 0)
        {
            throw new ArgumentException("a spiral needs at least one pose", nameof(poses));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        if (!(near > 0) || !(far > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(near), "near and far bounds must be positive");
        }

        Pose average = AveragePose(poses);
        Vec3 up = Vec3.Zero;
        foreach (Pose p in poses)
        {
            up += Column(p, 1);
        }

        up = up.Normalized();

        double closeDepth = near * 0.9;
        double infDepth = far * 5.0;
        const double dt = 0.75;
        double focal = 1.0 / (((1.0 - dt) / closeDepth) + (dt / infDepth));

        var radii = new double[3];
        var abs = new double[poses.Count];
        for (int axis = 0; axis < 3; axis++)
        {
            for (int k = 0; k < poses.Count; k++)
            {
                abs[k] = Math.Abs(poses[k][axis, 3]);
            }

            radii[axis] = Percentile(abs, 90);
        }

        const double zRate = 0.5;
        Vec3 focus = Apply(average, 0, 0, -focal);
        var path = new Pose[frames];
        for (int k = 0; k < frames; k++)
        {
            double theta = 2.0 * Math.PI * rotations * k / frames;
            Vec3 c = Apply(average, Math.Cos(theta) * radii[0], -Math.Sin(theta) * radii[1], -Math.Sin(theta * zRate) * radii[2]);
            Vec3 z = (c - focus).Normalized();
            path[k] = ViewMatrix(z, up, c);
        }

        return path;
    }

    /// <summary>LLFF's <c>poses_avg</c>: mean centre, normalised sum of z axes, sum of y axes as up.</summary>
    internal static Pose AveragePose(IReadOnlyList<Pose> poses)
    {
        Vec3 center = Vec3.Zero, z = Vec3.Zero, up = Vec3.Zero;
        foreach (Pose p in poses)
        {
            center += Column(p, 3);
            z += Column(p, 2);
            up += Column(p, 1);
        }

        return ViewMatrix(z.Normalized(), up, center * (1.0 / poses.Count));
    }

    /// <summary>LLFF's <c>viewmatrix</c>: x = normalise(up x z), y = normalise(z x x), columns [x y z pos].</summary>
    private static Pose ViewMatrix(Vec3 z, Vec3 up, Vec3 position)
    {
        Vec3 zn = z.Normalized();
        Vec3 x = Vec3.Cross(up, zn).Normalized();
        Vec3 y = Vec3.Cross(zn, x).Normalized();
        return new Pose([x.X, y.X, zn.X, position.X, x.Y, y.Y, zn.Y, position.Y, x.Z, y.Z, zn.Z, position.Z]);
    }

    private static Vec3 Column(Pose p, int col) => new(p[0, col], p[1, col], p[2, col]);

    private static Vec3 Apply(Pose p, double x, double y, double z) =>
        new((p[0, 0] * x) + (p[0, 1] * y) + (p[0, 2] * z) + p[0, 3],
            (p[1, 0] * x) + (p[1, 1] * y) + (p[1, 2] * z) + p[1, 3],
            (p[2, 0] * x) + (p[2, 1] * y) + (p[2, 2] * z) + p[2, 3]);

    /// <summary>numpy.percentile with its default linear interpolation between order statistics.</summary>
    internal static double Percentile(ReadOnlySpan<double> values, double q)
    {
        double[] sorted = values.ToArray();
        Array.Sort(sorted);
        double position = q / 100.0 * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        double fraction = position - lower;
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * fraction);
    }

    private readonly record struct Vec3(double X, double Y, double Z)
    {
        public static Vec3 Zero => default;

        public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

        public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

        public static Vec3 operator *(Vec3 a, double s) => new(a.X * s, a.Y * s, a.Z * s);

        public static Vec3 Cross(Vec3 a, Vec3 b) => new((a.Y * b.Z) - (a.Z * b.Y), (a.Z * b.X) - (a.X * b.Z), (a.X * b.Y) - (a.Y * b.X));

        public Vec3 Normalized()
        {
            double n = Math.Sqrt((X * X) + (Y * Y) + (Z * Z));
            return new Vec3(X / n, Y / n, Z / n);
        }
    }
}
