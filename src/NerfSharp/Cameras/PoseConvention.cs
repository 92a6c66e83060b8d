using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// Every camera-axis convention conversion in one place. The internal convention is OpenGL's camera-to-world
/// (camera x right, y up, looking down -z), as Blender, nerf-pytorch and instant-ngp's transforms.json use.
/// OpenCV/COLMAP cameras have x right, y down, looking down +z; LLFF's poses_bounds.npy stores columns
/// [down, right, backwards]; COLMAP stores world-to-camera as a unit quaternion (qw, qx, qy, qz) and translation t.
/// </summary>
public static class PoseConvention
{
    /// <summary>OpenCV camera-to-world to OpenGL: the camera's y and z axes (columns 1 and 2) change sign.</summary>
    public static Pose OpenCvToOpenGl(Pose c2w)
    {
        Span<double> m = stackalloc double[12];
        c2w.Values.CopyTo(m);
        for (int r = 0; r < 3; r++)
        {
            m[(r * 4) + 1] = -m[(r * 4) + 1];
            m[(r * 4) + 2] = -m[(r * 4) + 2];
        }

        return new Pose(m);
    }

    /// <summary>OpenGL camera-to-world to OpenCV (its own inverse).</summary>
    public static Pose OpenGlToOpenCv(Pose c2w) => OpenCvToOpenGl(c2w);

    /// <summary>
    /// A COLMAP image pose (world-to-camera rotation as the quaternion qw + qx i + qy j + qz k, normalised here, and translation t)
    /// as an OpenGL camera-to-world pose: R^T and the centre -R^T t, then <see cref="OpenCvToOpenGl"/>.
    /// </summary>
    public static Pose FromColmap(double qw, double qx, double qy, double qz, double tx, double ty, double tz)
    {
        double n = Math.Sqrt((qw * qw) + (qx * qx) + (qy * qy) + (qz * qz));
        if (!(n > 0))
        {
            throw new ArgumentException("the quaternion is zero");
        }

        qw /= n;
        qx /= n;
        qy /= n;
        qz /= n;

        // World-to-camera rotation R (row-major).
        double r00 = 1 - (2 * ((qy * qy) + (qz * qz))), r01 = 2 * ((qx * qy) - (qw * qz)), r02 = 2 * ((qx * qz) + (qw * qy));
        double r10 = 2 * ((qx * qy) + (qw * qz)), r11 = 1 - (2 * ((qx * qx) + (qz * qz))), r12 = 2 * ((qy * qz) - (qw * qx));
        double r20 = 2 * ((qx * qz) - (qw * qy)), r21 = 2 * ((qy * qz) + (qw * qx)), r22 = 1 - (2 * ((qx * qx) + (qy * qy)));

        // Camera-to-world (OpenCV): R^T, centre -R^T t.
        double cx = -((r00 * tx) + (r10 * ty) + (r20 * tz));
        double cy = -((r01 * tx) + (r11 * ty) + (r21 * tz));
        double cz = -((r02 * tx) + (r12 * ty) + (r22 * tz));
        return OpenCvToOpenGl(new Pose([r00, r10, r20, cx, r01, r11, r21, cy, r02, r12, r22, cz]));
    }

    /// <summary>
    /// LLFF's 3x4 pose (columns [down, right, backwards, centre], as poses_bounds.npy stores it) to OpenGL, as
    /// nerf-pytorch's load_llff_data reorders it: [right, up, backwards] = [col 1, -col 0, col 2].
    /// </summary>
    public static Pose FromLlff(ReadOnlySpan<double> rowMajor3x4)
    {
        if (rowMajor3x4.Length != 12)
        {
            throw new ArgumentException("an LLFF pose has 12 values (3x4 row-major)");
        }

        Span<double> m = stackalloc double[12];
        for (int r = 0; r < 3; r++)
        {
            m[r * 4] = rowMajor3x4[(r * 4) + 1];
            m[(r * 4) + 1] = -rowMajor3x4[r * 4];
            m[(r * 4) + 2] = rowMajor3x4[(r * 4) + 2];
            m[(r * 4) + 3] = rowMajor3x4[(r * 4) + 3];
        }

        return new Pose(m);
    }

    /// <summary>OpenGL pose to LLFF's column order [down, right, backwards, centre] (the inverse of <see cref="FromLlff"/>).</summary>
    public static double[] ToLlff(Pose c2w)
    {
        var m = new double[12];
        for (int r = 0; r < 3; r++)
        {
            m[r * 4] = -c2w[r, 1];
            m[(r * 4) + 1] = c2w[r, 0];
            m[(r * 4) + 2] = c2w[r, 2];
            m[(r * 4) + 3] = c2w[r, 3];
        }

        return m;
    }

    /// <summary>The inverse of a rigid transform [R | t]: [R^T | -R^T t] (R assumed orthonormal).</summary>
    public static Pose RigidInverse(Pose p)
    {
        var m = new double[12];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                m[(r * 4) + c] = p[c, r];
            }

            m[(r * 4) + 3] = -((p[0, r] * p[0, 3]) + (p[1, r] * p[1, 3]) + (p[2, r] * p[2, 3]));
        }

        return new Pose(m);
    }

    /// <summary>The same pose with its centre multiplied by <paramref name="scale"/> (a uniform rescale of the world).</summary>
    public static Pose ScaleTranslation(Pose p, double scale)
    {
        Span<double> m = stackalloc double[12];
        p.Values.CopyTo(m);
        m[3] *= scale;
        m[7] *= scale;
        m[11] *= scale;
        return new Pose(m);
    }
}
