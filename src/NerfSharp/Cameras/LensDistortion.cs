namespace NerfSharp.Cameras;

/// <summary>The lens models a camera can have (COLMAP's names in brackets).</summary>
public enum LensModel
{
    /// <summary>No distortion (PINHOLE, SIMPLE_PINHOLE).</summary>
    None,

    /// <summary>Brown-Conrady radial (k1, k2, k3) plus tangential (p1, p2): OPENCV, and with some terms zero SIMPLE_RADIAL (k1) and RADIAL (k1, k2).</summary>
    RadialTangential,

    /// <summary>Kannala-Brandt equidistant fisheye, theta_d = theta (1 + k1 theta^2 + k2 theta^4 + k3 theta^6 + k4 theta^8) (OPENCV_FISHEYE).</summary>
    Fisheye,
}

/// <summary>
/// A lens distortion on normalised image coordinates (x, y) = ((u - cx) / fx, (v - cy) / fy), with v growing downwards
/// (OpenCV/COLMAP's image plane). <see cref="Distort"/> maps an ideal pinhole point to where the lens images it;
/// <see cref="Undistort"/> inverts it by Newton's method. Coefficients a model does not use are zero.
/// </summary>
public sealed record LensDistortion(LensModel Model, double K1 = 0, double K2 = 0, double K3 = 0, double K4 = 0, double P1 = 0, double P2 = 0)
{
    /// <summary>Newton iterations at most; each converges quadratically, so a handful are usually enough.</summary>
    public const int MaxIterations = 50;

    public static LensDistortion None { get; } = new(LensModel.None);

    /// <summary>COLMAP/OpenCV's OPENCV model: k1, k2, p1, p2 and optionally k3.</summary>
    public static LensDistortion OpenCv(double k1, double k2, double p1, double p2, double k3 = 0) =>
        new(LensModel.RadialTangential, K1: k1, K2: k2, K3: k3, P1: p1, P2: p2);

    /// <summary>COLMAP's SIMPLE_RADIAL: k1 only.</summary>
    public static LensDistortion SimpleRadial(double k1) => new(LensModel.RadialTangential, K1: k1);

    /// <summary>COLMAP's RADIAL: k1, k2.</summary>
    public static LensDistortion Radial(double k1, double k2) => new(LensModel.RadialTangential, K1: k1, K2: k2);

    /// <summary>COLMAP/OpenCV's OPENCV_FISHEYE: k1..k4.</summary>
    public static LensDistortion OpenCvFisheye(double k1, double k2, double k3, double k4) =>
        new(LensModel.Fisheye, K1: k1, K2: k2, K3: k3, K4: k4);

    /// <summary>True when distorting changes nothing (no model, or all coefficients zero).</summary>
    public bool IsIdentity => Model == LensModel.None || (K1 == 0 && K2 == 0 && K3 == 0 && K4 == 0 && P1 == 0 && P2 == 0);

    /// <summary>Where the lens images the ideal (pinhole) normalised point (x, y).</summary>
    public (double X, double Y) Distort(double x, double y)
    {
        switch (Model)
        {
            case LensModel.RadialTangential:
                {
                    double r2 = (x * x) + (y * y);
                    double radial = 1 + (r2 * (K1 + (r2 * (K2 + (r2 * K3)))));
                    return ((x * radial) + (2 * P1 * x * y) + (P2 * (r2 + (2 * x * x))),
                            (y * radial) + (P1 * (r2 + (2 * y * y))) + (2 * P2 * x * y));
                }

            case LensModel.Fisheye:
                {
                    double r = Math.Sqrt((x * x) + (y * y));
                    if (r < 1e-15)
                    {
                        return (x, y);
                    }

                    double theta = Math.Atan(r);
                    double scale = FisheyeThetaD(theta) / r;
                    return (x * scale, y * scale);
                }

            default:
                return (x, y);
        }
    }

    /// <summary>
    /// The ideal normalised point that the lens images at (xd, yd): the inverse of <see cref="Distort"/> by Newton's method
    /// (2-D with the analytic Jacobian for the radial-tangential model, 1-D on the angle for the fisheye), started at (xd, yd).
    /// Stops when a step is below 1e-14 or after <see cref="MaxIterations"/>.
    /// </summary>
    public (double X, double Y) Undistort(double xd, double yd)
    {
        if (IsIdentity)
        {
            return (xd, yd);
        }

        return Model == LensModel.Fisheye ? UndistortFisheye(xd, yd) : UndistortRadialTangential(xd, yd);
    }

    private (double X, double Y) UndistortRadialTangential(double xd, double yd)
    {
        double x = xd, y = yd;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            double r2 = (x * x) + (y * y);
            double radial = 1 + (r2 * (K1 + (r2 * (K2 + (r2 * K3)))));
            double dRadialDr2 = K1 + (r2 * ((2 * K2) + (3 * K3 * r2)));

            // Residual f(x, y) = distort(x, y) - (xd, yd) and its Jacobian.
            double fx = (x * radial) + (2 * P1 * x * y) + (P2 * (r2 + (2 * x * x))) - xd;
            double fy = (y * radial) + (P1 * (r2 + (2 * y * y))) + (2 * P2 * x * y) - yd;
            double dfxdx = radial + (2 * x * x * dRadialDr2) + (2 * P1 * y) + (6 * P2 * x);
            double dfxdy = (2 * x * y * dRadialDr2) + (2 * P1 * x) + (2 * P2 * y);
            double dfydx = (2 * x * y * dRadialDr2) + (2 * P1 * x) + (2 * P2 * y);
            double dfydy = radial + (2 * y * y * dRadialDr2) + (6 * P1 * y) + (2 * P2 * x);
            double det = (dfxdx * dfydy) - (dfxdy * dfydx);
            if (Math.Abs(det) < 1e-300)
            {
                break;
            }

            double stepX = ((dfydy * fx) - (dfxdy * fy)) / det;
            double stepY = ((dfxdx * fy) - (dfydx * fx)) / det;
            x -= stepX;
            y -= stepY;
            if (Math.Abs(stepX) + Math.Abs(stepY) < 1e-14)
            {
                break;
            }
        }

        return (x, y);
    }

    private (double X, double Y) UndistortFisheye(double xd, double yd)
    {
        double thetaD = Math.Sqrt((xd * xd) + (yd * yd));
        if (thetaD < 1e-15)
        {
            return (xd, yd);
        }

        // Solve thetaD = theta (1 + k1 theta^2 + ... + k4 theta^8) for theta, starting at theta = thetaD.
        double theta = thetaD;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            double t2 = theta * theta;
            double f = FisheyeThetaD(theta) - thetaD;
            double df = 1 + (t2 * ((3 * K1) + (t2 * ((5 * K2) + (t2 * ((7 * K3) + (9 * K4 * t2)))))));
            if (Math.Abs(df) < 1e-300)
            {
                break;
            }

            double step = f / df;
            theta -= step;
            if (Math.Abs(step) < 1e-14)
            {
                break;
            }
        }

        double scale = Math.Tan(theta) / thetaD;
        return (xd * scale, yd * scale);
    }

    private double FisheyeThetaD(double theta)
    {
        double t2 = theta * theta;
        return theta * (1 + (t2 * (K1 + (t2 * (K2 + (t2 * (K3 + (t2 * K4))))))));
    }
}
