namespace NerfSharp.Cameras;

/// <summary>
/// The map from a camera's 6-vector pose correction to a rotation and a translation, and its backward, in double precision.
/// Layout as nerfstudio's: translation part v at [0..2], rotation vector w at [3..5]. With theta = |w| and K = [w]x:
/// R = exp(K) = I + A K + B K^2 (Rodrigues) in both modes; t = v for <see cref="CameraOptimizerMode.SO3xR3"/>, and
/// t = V v with V = I + B K + C K^2 (SO(3)'s left Jacobian) for <see cref="CameraOptimizerMode.SE3"/>, where
/// A = sin(theta)/theta, B = (1 - cos(theta))/theta^2, C = (theta - sin(theta))/theta^3. The coefficients and their
/// derivatives come from their power series below theta = 0.5, where the closed forms lose digits to cancellation.
/// Rotations are 3x3 row-major.
/// </summary>
public static class PoseCorrectionMap
{
    /// <summary>Length of one correction vector.</summary>
    public const int Width = 6;

    private const double SeriesBelow = 0.5;

    /// <summary>Rotation (9, row-major) and translation (3) of correction <paramref name="xi"/> (6).</summary>
    public static void Forward(CameraOptimizerMode mode, ReadOnlySpan<double> xi, Span<double> rotation, Span<double> translation)
    {
        Check(mode, xi, rotation.Length, translation.Length);
        double wx = xi[3], wy = xi[4], wz = xi[5];
        var c = Coefficients.Of(Math.Sqrt((wx * wx) + (wy * wy) + (wz * wz)));
        Span<double> k = stackalloc double[9];
        Span<double> k2 = stackalloc double[9];
        Skew(wx, wy, wz, k);
        SkewSquared(wx, wy, wz, k2);
        for (int i = 0; i < 9; i++)
        {
            rotation[i] = (i % 4 == 0 ? 1.0 : 0.0) + (c.A * k[i]) + (c.B * k2[i]);
        }

        if (mode == CameraOptimizerMode.SO3xR3)
        {
            xi[..3].CopyTo(translation);
            return;
        }

        for (int i = 0; i < 3; i++)
        {
            double s = 0;
            for (int j = 0; j < 3; j++)
            {
                double v = (i == j ? 1.0 : 0.0) + (c.B * k[(3 * i) + j]) + (c.C * k2[(3 * i) + j]);
                s += v * xi[j];
            }

            translation[i] = s;
        }
    }

    /// <summary>
    /// dL/dxi (6, overwritten) from dL/drotation (9, row-major) and dL/dtranslation (3) at correction <paramref name="xi"/>.
    /// </summary>
    public static void Backward(CameraOptimizerMode mode, ReadOnlySpan<double> xi, ReadOnlySpan<double> dLdRotation, ReadOnlySpan<double> dLdTranslation, Span<double> dLdXi)
    {
        Check(mode, xi, dLdRotation.Length, dLdTranslation.Length);
        if (dLdXi.Length < Width)
        {
            throw new ArgumentException($"dLdXi holds {dLdXi.Length} values, a correction has {Width}", nameof(dLdXi));
        }

        double wx = xi[3], wy = xi[4], wz = xi[5];
        var c = Coefficients.Of(Math.Sqrt((wx * wx) + (wy * wy) + (wz * wz)));
        Span<double> k = stackalloc double[9];
        Span<double> k2 = stackalloc double[9];
        Span<double> dk = stackalloc double[9];
        Span<double> dk2 = stackalloc double[9];
        Skew(wx, wy, wz, k);
        SkewSquared(wx, wy, wz, k2);
        bool se3 = mode == CameraOptimizerMode.SE3;

        // Translation part: t = v (SO3xR3) or V v (SE3), so dL/dv = dL/dt or V^T dL/dt.
        for (int j = 0; j < 3; j++)
        {
            if (!se3)
            {
                dLdXi[j] = dLdTranslation[j];
                continue;
            }

            double s = 0;
            for (int i = 0; i < 3; i++)
            {
                double v = (i == j ? 1.0 : 0.0) + (c.B * k[(3 * i) + j]) + (c.C * k2[(3 * i) + j]);
                s += v * dLdTranslation[i];
            }

            dLdXi[j] = s;
        }

        // Rotation vector: dR/dw_m = A1 w_m K + A E_m + B1 w_m K^2 + B dK^2/dw_m, with E_m = [e_m]x,
        // dK^2/dw_m = e_m w^T + w e_m^T - 2 w_m I and X1 = (dX/dtheta) / theta; likewise dV/dw_m with (B, C).
        ReadOnlySpan<double> w = xi.Slice(3, 3);
        for (int m = 0; m < 3; m++)
        {
            Skew(m == 0 ? 1 : 0, m == 1 ? 1 : 0, m == 2 ? 1 : 0, dk);
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    dk2[(3 * i) + j] = (i == m ? w[j] : 0) + (j == m ? w[i] : 0) - (i == j ? 2 * w[m] : 0);
                }
            }

            double s = 0;
            for (int e = 0; e < 9; e++)
            {
                double dr = (c.A1 * w[m] * k[e]) + (c.A * dk[e]) + (c.B1 * w[m] * k2[e]) + (c.B * dk2[e]);
                s += dLdRotation[e] * dr;
            }

            if (se3)
            {
                for (int i = 0; i < 3; i++)
                {
                    double dt = 0;
                    for (int j = 0; j < 3; j++)
                    {
                        int e = (3 * i) + j;
                        dt += ((c.B1 * w[m] * k[e]) + (c.B * dk[e]) + (c.C1 * w[m] * k2[e]) + (c.C * dk2[e])) * xi[j];
                    }

                    s += dLdTranslation[i] * dt;
                }
            }

            dLdXi[3 + m] = s;
        }
    }

    /// <summary>The rotation angle (radians) of rotation matrix <paramref name="rotation"/> (9, row-major).</summary>
    public static double Angle(ReadOnlySpan<double> rotation)
    {
        double cos = 0.5 * (rotation[0] + rotation[4] + rotation[8] - 1);
        return Math.Acos(Math.Clamp(cos, -1.0, 1.0));
    }

    private static void Check(CameraOptimizerMode mode, ReadOnlySpan<double> xi, int rotationLength, int translationLength)
    {
        if (mode is not (CameraOptimizerMode.SO3xR3 or CameraOptimizerMode.SE3))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "a pose correction is SO3xR3 or SE3");
        }

        if (xi.Length < Width || rotationLength < 9 || translationLength < 3)
        {
            throw new ArgumentException($"a correction has {Width} values, a rotation 9 and a translation 3 (got {xi.Length}, {rotationLength}, {translationLength})");
        }
    }

    /// <summary>[w]x, the cross-product matrix: [w]x u = w x u.</summary>
    private static void Skew(double x, double y, double z, Span<double> k)
    {
        k[0] = 0;
        k[1] = -z;
        k[2] = y;
        k[3] = z;
        k[4] = 0;
        k[5] = -x;
        k[6] = -y;
        k[7] = x;
        k[8] = 0;
    }

    /// <summary>[w]x^2 = w w^T - |w|^2 I.</summary>
    private static void SkewSquared(double x, double y, double z, Span<double> k2)
    {
        double n2 = (x * x) + (y * y) + (z * z);
        k2[0] = (x * x) - n2;
        k2[1] = x * y;
        k2[2] = x * z;
        k2[3] = y * x;
        k2[4] = (y * y) - n2;
        k2[5] = y * z;
        k2[6] = z * x;
        k2[7] = z * y;
        k2[8] = (z * z) - n2;
    }

    /// <summary>A, B, C of the exponential maps at angle theta, and X1 = (dX/dtheta)/theta of each.</summary>
    private readonly record struct Coefficients(double A, double B, double C, double A1, double B1, double C1)
    {
        public static Coefficients Of(double theta)
        {
            if (theta >= SeriesBelow)
            {
                double t2 = theta * theta, sin = Math.Sin(theta), cos = Math.Cos(theta);
                double a = sin / theta, b = (1 - cos) / t2, c = (theta - sin) / (t2 * theta);
                return new Coefficients(a, b, c, (cos - a) / t2, (a - (2 * b)) / t2, (b - (3 * c)) / t2);
            }

            // X_k = sum_n (-1)^n theta^(2n) / (2n + k)!  (A: k = 1, B: k = 2, C: k = 3);
            // X_k1 = sum_{n>=1} (-1)^n 2n theta^(2n-2) / (2n + k)!. Ten terms: below 1e-20 at theta = 0.5.
            return new Coefficients(Series(theta, 1), Series(theta, 2), Series(theta, 3), SeriesDerivative(theta, 1), SeriesDerivative(theta, 2), SeriesDerivative(theta, 3));
        }

        private static double Series(double theta, int k)
        {
            double sum = 0, power = 1, sign = 1;
            for (int n = 0; n < 10; n++)
            {
                sum += sign * power / Factorial((2 * n) + k);
                power *= theta * theta;
                sign = -sign;
            }

            return sum;
        }

        private static double SeriesDerivative(double theta, int k)
        {
            double sum = 0, power = 1, sign = -1;
            for (int n = 1; n < 10; n++)
            {
                sum += sign * 2 * n * power / Factorial((2 * n) + k);
                power *= theta * theta;
                sign = -sign;
            }

            return sum;
        }

        private static double Factorial(int n)
        {
            double f = 1;
            for (int i = 2; i <= n; i++)
            {
                f *= i;
            }

            return f;
        }
    }
}
