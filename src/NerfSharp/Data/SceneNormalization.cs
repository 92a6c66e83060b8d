using NerfSharp.Cameras;
using NerfSharp.Numerics;

namespace NerfSharp.Data;

/// <summary>
/// instant-ngp's colmap2nerf normalisation of a capture, in the OpenGL convention: rotate the world so that the summed
/// camera up vectors point along +z (the orientation fix), move the mean camera centre to the origin, and scale so that
/// the mean camera distance from it is <see cref="TargetMeanDistance"/> (4, as the Blender scenes' radius). The result is
/// world_out = Scale * (R * world_in + T).
/// </summary>
public static class SceneNormalization
{
    public const double TargetMeanDistance = 4.0;

    /// <summary>The rotation-translation (R | T) and scale that normalise <paramref name="poses"/>.</summary>
    public static (Pose Transform, double Scale) Compute(IReadOnlyList<Pose> poses)
    {
        double ux = 0, uy = 0, uz = 0;
        foreach (Pose p in poses)
        {
            ux += p[0, 1];
            uy += p[1, 1];
            uz += p[2, 1];
        }

        double[] r = RotationBetween(ux, uy, uz, 0, 0, 1);
        double mx = 0, my = 0, mz = 0;
        foreach (Pose p in poses)
        {
            var (x, y, z) = Rotate(r, p[0, 3], p[1, 3], p[2, 3]);
            mx += x / poses.Count;
            my += y / poses.Count;
            mz += z / poses.Count;
        }

        var transform = new Pose([r[0], r[1], r[2], -mx, r[3], r[4], r[5], -my, r[6], r[7], r[8], -mz]);
        double mean = 0;
        foreach (Pose p in poses)
        {
            var (x, y, z) = Apply(transform, p[0, 3], p[1, 3], p[2, 3]);
            mean += Math.Sqrt((x * x) + (y * y) + (z * z)) / poses.Count;
        }

        return (transform, mean > 1e-12 ? TargetMeanDistance / mean : 1.0);
    }

    /// <summary>A camera-to-world pose in the normalised world: rotation R * R_c2w, centre Scale * (R * c + T).</summary>
    public static Pose Apply(Pose transform, double scale, Pose c2w) => PoseConvention.ScaleTranslation(transform.Compose(c2w), scale);

    public static (double X, double Y, double Z) Apply(Pose t, double x, double y, double z) =>
        ((t[0, 0] * x) + (t[0, 1] * y) + (t[0, 2] * z) + t[0, 3],
         (t[1, 0] * x) + (t[1, 1] * y) + (t[1, 2] * z) + t[1, 3],
         (t[2, 0] * x) + (t[2, 1] * y) + (t[2, 2] * z) + t[2, 3]);

    private static (double, double, double) Rotate(double[] r, double x, double y, double z) =>
        ((r[0] * x) + (r[1] * y) + (r[2] * z), (r[3] * x) + (r[4] * y) + (r[5] * z), (r[6] * x) + (r[7] * y) + (r[8] * z));

    /// <summary>The rotation (row-major 3x3) taking direction a to direction b (Rodrigues; a half turn about x when opposite).</summary>
    internal static double[] RotationBetween(double ax, double ay, double az, double bx, double by, double bz)
    {
        double na = Math.Sqrt((ax * ax) + (ay * ay) + (az * az)), nb = Math.Sqrt((bx * bx) + (by * by) + (bz * bz));
        if (na < 1e-15 || nb < 1e-15)
        {
            return [1, 0, 0, 0, 1, 0, 0, 0, 1];
        }

        (ax, ay, az) = (ax / na, ay / na, az / na);
        (bx, by, bz) = (bx / nb, by / nb, bz / nb);
        double vx = (ay * bz) - (az * by), vy = (az * bx) - (ax * bz), vz = (ax * by) - (ay * bx);
        double c = (ax * bx) + (ay * by) + (az * bz);
        double s2 = (vx * vx) + (vy * vy) + (vz * vz);
        if (s2 < 1e-20)
        {
            return c > 0 ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : [1, 0, 0, 0, -1, 0, 0, 0, -1];
        }

        // R = I + K + K^2 (1 - c) / s^2 with K the cross-product matrix of v.
        double f = (1 - c) / s2;
        double[] k = [0, -vz, vy, vz, 0, -vx, -vy, vx, 0];
        var rot = new double[9];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double k2 = 0;
                for (int m = 0; m < 3; m++)
                {
                    k2 += k[(i * 3) + m] * k[(m * 3) + j];
                }

                rot[(i * 3) + j] = (i == j ? 1 : 0) + k[(i * 3) + j] + (f * k2);
            }
        }

        return rot;
    }
}
