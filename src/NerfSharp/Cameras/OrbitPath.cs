using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// A circular camera path around a scene, derived from its training cameras: the up direction is the one most nearly
/// perpendicular to all the cameras' x axes (people hold cameras level: nerfstudio's "vertical" orientation), signed as
/// the sum of their up (y) axes, or that sum itself when the x axes do not pin it down (all parallel); the centre is the point nearest (least squares) to all their optical axes, or their mean
/// centre when the axes are near parallel (a forward-facing capture); the circle lies at the cameras' mean height above
/// the centre along up and their mean horizontal distance from it, and every pose looks at the centre with up as its up
/// vector. When the cameras surround the centre (no gap of more than <see cref="MaxGapDegrees"/> between their azimuths)
/// the path is the full circle from the first camera's azimuth, counter-clockwise; when they cover only an arc (a capture
/// of something against a wall), the path sweeps that arc from one end to the other and back, easing at the ends, so it
/// never looks at the side no photo saw.
/// </summary>
public static class OrbitPath
{
    /// <summary>The largest gap between neighbouring camera azimuths for which the path is still a full circle.</summary>
    public const double MaxGapDegrees = 90;

    public static IReadOnlyList<Pose> Create(IReadOnlyList<Pose> trainingPoses, int frames)
    {
        ArgumentNullException.ThrowIfNull(trainingPoses);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        if (trainingPoses.Count == 0)
        {
            throw new ArgumentException("an orbit needs at least one training camera", nameof(trainingPoses));
        }

        Vector3D up = UpDirection(trainingPoses);
        Vector3D centre = SceneCentre(trainingPoses);

        double height = 0, radius = 0;
        foreach (Pose p in trainingPoses)
        {
            Vector3D v = Column(p, 3) - centre;
            double h = Vector3D.Dot(v, up);
            height += h / trainingPoses.Count;
            radius += (v - (up * h)).Length / trainingPoses.Count;
        }

        Vector3D first = Column(trainingPoses[0], 3) - centre;
        Vector3D e1 = first - (up * Vector3D.Dot(first, up));
        if (e1.Length < 1e-9)
        {
            e1 = Vector3D.Cross(up, Math.Abs(up.X) < 0.9 ? new Vector3D(1, 0, 0) : new Vector3D(0, 1, 0));
        }

        e1 = e1.Normalized();
        Vector3D e2 = Vector3D.Cross(up, e1);
        if (radius < 1e-9)
        {
            radius = Math.Max(Math.Abs(height), 1.0);
        }

        var (arcStart, arcSpan) = CoveredArc(trainingPoses, centre, up, e1, e2);
        var poses = new Pose[frames];
        for (int k = 0; k < frames; k++)
        {
            double theta = arcSpan >= 2 * Math.PI
                ? 2.0 * Math.PI * k / frames
                : arcStart + (arcSpan * 0.5 * (1 - Math.Cos(2.0 * Math.PI * k / frames)));
            Vector3D position = centre + (up * height) + (e1 * (radius * Math.Cos(theta))) + (e2 * (radius * Math.Sin(theta)));
            poses[k] = LookAt(position, centre, up);
        }

        return poses;
    }

    /// <summary>
    /// The unit vector most nearly perpendicular to the cameras' x axes (the eigenvector of the smallest eigenvalue of
    /// sum x x^T), with the sign of the summed y axes; the summed y axes alone when the two smallest eigenvalues are
    /// within a factor of 10 (the x axes span too little to pin the vertical down).
    /// </summary>
    public static Vector3D UpDirection(IReadOnlyList<Pose> poses)
    {
        ArgumentNullException.ThrowIfNull(poses);
        Vector3D summed = Vector3D.Zero;
        var m = new double[3, 3];
        foreach (Pose p in poses)
        {
            summed += Column(p, 1);
            Vector3D x = Column(p, 0).Normalized();
            double[] xv = [x.X, x.Y, x.Z];
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    m[r, c] += xv[r] * xv[c];
                }
            }
        }

        Vector3D fallback = summed.Length > 1e-9 ? summed.Normalized() : new Vector3D(0, 0, 1);

        // Power iteration on (trace I - M), whose largest eigenvalue belongs to M's smallest; then the next one by deflation.
        double trace = m[0, 0] + m[1, 1] + m[2, 2];
        Vector3D Apply(Vector3D v) => new(
            (trace * v.X) - ((m[0, 0] * v.X) + (m[0, 1] * v.Y) + (m[0, 2] * v.Z)),
            (trace * v.Y) - ((m[1, 0] * v.X) + (m[1, 1] * v.Y) + (m[1, 2] * v.Z)),
            (trace * v.Z) - ((m[2, 0] * v.X) + (m[2, 1] * v.Y) + (m[2, 2] * v.Z)));
        Vector3D up = fallback;
        for (int i = 0; i < 200; i++)
        {
            Vector3D next = Apply(up);
            if (next.Length < 1e-12)
            {
                return fallback;
            }

            up = next.Normalized();
        }

        Vector3D other = Vector3D.Cross(up, Math.Abs(up.X) < 0.9 ? new Vector3D(1, 0, 0) : new Vector3D(0, 1, 0)).Normalized();
        for (int i = 0; i < 200; i++)
        {
            Vector3D next = Apply(other);
            next -= up * Vector3D.Dot(next, up);
            if (next.Length < 1e-12)
            {
                break;
            }

            other = next.Normalized();
        }

        double smallest = trace - Vector3D.Dot(up, Apply(up)), second = trace - Vector3D.Dot(other, Apply(other));
        if (second < 10 * smallest + 1e-12 * trace)
        {
            return fallback;
        }

        return Vector3D.Dot(up, summed) < 0 ? up * -1 : up;
    }

    /// <summary>
    /// The azimuth range (radians about up, from e1 towards e2) the cameras cover: (0, 2 pi) when no gap between
    /// neighbouring azimuths exceeds <see cref="MaxGapDegrees"/>, else the arc that leaves out the largest gap.
    /// </summary>
    public static (double Start, double Span) CoveredArc(IReadOnlyList<Pose> poses, Vector3D centre, Vector3D up, Vector3D e1, Vector3D e2)
    {
        ArgumentNullException.ThrowIfNull(poses);
        var azimuths = new List<double>(poses.Count);
        foreach (Pose p in poses)
        {
            Vector3D v = Column(p, 3) - centre;
            double x = Vector3D.Dot(v, e1), y = Vector3D.Dot(v, e2);
            if ((x * x) + (y * y) > 1e-18)
            {
                azimuths.Add(Math.Atan2(y, x));
            }
        }

        if (azimuths.Count < 2)
        {
            return (0, 2 * Math.PI);
        }

        azimuths.Sort();
        double gap = azimuths[0] + (2 * Math.PI) - azimuths[^1];
        double afterGap = azimuths[0];
        for (int i = 1; i < azimuths.Count; i++)
        {
            if (azimuths[i] - azimuths[i - 1] > gap)
            {
                gap = azimuths[i] - azimuths[i - 1];
                afterGap = azimuths[i];
            }
        }

        return gap <= MaxGapDegrees * Math.PI / 180 ? (0, 2 * Math.PI) : (afterGap, (2 * Math.PI) - gap);
    }

    /// <summary>
    /// The camera-to-world pose (OpenGL camera) at <paramref name="position"/> looking at <paramref name="target"/>: z from the
    /// target to the camera, x = up x z, y = z x x.
    /// </summary>
    public static Pose LookAt(Vector3D position, Vector3D target, Vector3D up)
    {
        Vector3D z = (position - target).Normalized();
        Vector3D x = Vector3D.Cross(up, z);
        if (x.Length < 1e-9)
        {
            x = Vector3D.Cross(Math.Abs(z.X) < 0.9 ? new Vector3D(1, 0, 0) : new Vector3D(0, 1, 0), z);
        }

        x = x.Normalized();
        Vector3D y = Vector3D.Cross(z, x);
        return new Pose([x.X, y.X, z.X, position.X, x.Y, y.Y, z.Y, position.Y, x.Z, y.Z, z.Z, position.Z]);
    }

    /// <summary>The point nearest to all optical axes: sum_k (I - d_k d_k^T) c = sum_k (I - d_k d_k^T) o_k; the mean centre when that is ill-conditioned.</summary>
    public static Vector3D SceneCentre(IReadOnlyList<Pose> poses)
    {
        ArgumentNullException.ThrowIfNull(poses);
        var a = new double[3, 3];
        var b = new double[3];
        Vector3D mean = Vector3D.Zero;
        foreach (Pose p in poses)
        {
            Vector3D d = Column(p, 2).Normalized();
            Vector3D o = Column(p, 3);
            mean += o * (1.0 / poses.Count);
            double[] dv = [d.X, d.Y, d.Z];
            double[] ov = [o.X, o.Y, o.Z];
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    double m = (r == c ? 1.0 : 0.0) - (dv[r] * dv[c]);
                    a[r, c] += m;
                    b[r] += m * ov[c];
                }
            }
        }

        double det = Determinant(a);

        // Each (I - d d^T) has eigenvalues 1, 1, 0, so the sum's are at most n; axes spread by about s radians give a
        // smallest eigenvalue near n s^2 and det near n^3 s^2. Below s = 0.1 (forward-facing) the centre is ill-defined.
        double n = poses.Count;
        if (Math.Abs(det) < 0.01 * n * n * n)
        {
            return mean;
        }

        var solution = new double[3];
        for (int i = 0; i < 3; i++)
        {
            var m = (double[,])a.Clone();
            for (int r = 0; r < 3; r++)
            {
                m[r, i] = b[r];
            }

            solution[i] = Determinant(m) / det;
        }

        return new Vector3D(solution[0], solution[1], solution[2]);
    }

    private static double Determinant(double[,] m) =>
        (m[0, 0] * ((m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1])))
        - (m[0, 1] * ((m[1, 0] * m[2, 2]) - (m[1, 2] * m[2, 0])))
        + (m[0, 2] * ((m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0])));

    private static Vector3D Column(Pose p, int col) => new(p[0, col], p[1, col], p[2, col]);
}
