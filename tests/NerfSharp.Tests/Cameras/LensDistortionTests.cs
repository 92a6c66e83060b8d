using NerfSharp.Cameras;
using NerfSharp.Numerics;

namespace NerfSharp.Tests.Cameras;

/// <summary>Distortion models: round trips, known values, and rays through distorted cameras.</summary>
public sealed class LensDistortionTests
{
    public static TheoryData<string> Models => new() { "simple_radial", "radial", "opencv", "opencv_k3", "fox", "fisheye", "fisheye_strong" };

    [Theory]
    [MemberData(nameof(Models))]
    public void UndistortInvertsDistortOverTheImage(string name)
    {
        LensDistortion lens = Lens(name);

        // Normalised coordinates over a 1080x1920 image with fx ~ 1375 (the fox): |x| <= 0.4, |y| <= 0.7; and wider for the fisheye.
        double extent = lens.Model == LensModel.Fisheye ? 1.5 : 0.75;
        for (int a = -10; a <= 10; a++)
        {
            for (int b = -10; b <= 10; b++)
            {
                double x = extent * a / 10, y = extent * b / 10;
                var (xd, yd) = lens.Distort(x, y);
                var (xu, yu) = lens.Undistort(xd, yd);
                Assert.True(Math.Abs(xu - x) < 1e-10 && Math.Abs(yu - y) < 1e-10, $"{name}: ({x}, {y}) -> ({xd}, {yd}) -> ({xu}, {yu})");
            }
        }
    }

    [Fact]
    public void DistortMatchesTheOpenCvFormulaByHand()
    {
        // x = 0.1, y = -0.2: r^2 = 0.05; radial = 1 + 0.1*0.05 - 0.05*0.0025 + 0.01*0.000125 = 1.00487625
        // xd = 0.1*radial + 2*0.001*0.1*(-0.2) + 0.002*(0.05 + 0.02) = 0.100487625 - 0.00004 + 0.00014 = 0.100587625
        // yd = -0.2*radial + 0.001*(0.05 + 0.08) + 2*0.002*0.1*(-0.2) = -0.20097525 + 0.00013 - 0.00008 = -0.20092525
        var lens = LensDistortion.OpenCv(0.1, -0.05, 0.001, 0.002, 0.01);
        var (xd, yd) = lens.Distort(0.1, -0.2);
        Assert.Equal(0.100587625, xd, 1e-15);
        Assert.Equal(-0.20092525, yd, 1e-15);

        // Fisheye: r = 0.5, theta = atan(0.5); theta_d = theta (1 + 0.1 theta^2); xd = 0.3 theta_d / r.
        var fisheye = LensDistortion.OpenCvFisheye(0.1, 0, 0, 0);
        double theta = Math.Atan(0.5);
        var (fx, fy) = fisheye.Distort(0.3, 0.4);
        Assert.Equal(0.3 * theta * (1 + (0.1 * theta * theta)) / 0.5, fx, 1e-15);
        Assert.Equal(0.4 * theta * (1 + (0.1 * theta * theta)) / 0.5, fy, 1e-15);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void RayThroughThePrincipalPointIsThePinholeRay(string name)
    {
        var pose = new Pose([0.8926, 0.0880, 0.4421, 3.17, 0.4464, -0.0368, -0.8941, -5.48, -0.0624, 0.9954, -0.0711, 0.5]);
        var k = new PinholeIntrinsics(1080, 1920, 1375.52, 1374.49, 554.558, 965.268);
        var pinhole = new Camera(k, pose);
        foreach (PixelCenter convention in new[] { PixelCenter.Corner, PixelCenter.Center })
        {
            var distorted = new Camera(k, pose) { Distortion = Lens(name), PixelCenter = convention };
            double o = distorted.PixelOffset;
            Ray expected = RayGenerator.GetRay(pinhole, k.Cx, k.Cy);
            Ray actual = RayGenerator.GetRay(distorted, k.Cx - o, k.Cy - o);
            Assert.Equal(expected, actual);

            // Away from the centre the distorted ray differs from the pinhole ray, and projecting it returns the pixel.
            Ray corner = RayGenerator.GetRay(distorted, 10, 20);
            var (cx, cy) = RayGenerator.CameraDirection(distorted, 10, 20);
            var (u, v) = RayGenerator.Project(distorted, cx, cy, -1);
            Assert.Equal(10 + o, u, 1e-8);
            Assert.Equal(20 + o, v, 1e-8);
            Assert.NotEqual(RayGenerator.GetRay(pinhole, 10 + o, 20 + o), corner);
        }
    }

    [Fact]
    public void DefaultCameraKeepsNerfPytorchArithmetic()
    {
        var k = PinholeIntrinsics.FromFocal(400, 400, 555.5);
        var camera = new Camera(k, Pose.Identity);
        Ray ray = RayGenerator.GetRay(camera, 3, 7);
        Assert.Equal((3 - 200.0) / 555.5, ray.DirX);
        Assert.Equal(-(7 - 200.0) / 555.5, ray.DirY);
        Assert.Equal(-1.0, ray.DirZ);
        Ray centred = RayGenerator.GetRay(camera with { PixelCenter = PixelCenter.Center }, 3, 7);
        Assert.Equal((3.5 - 200.0) / 555.5, centred.DirX);
        Assert.Equal(-(7.5 - 200.0) / 555.5, centred.DirY);
    }

    private static LensDistortion Lens(string name) => name switch
    {
        "simple_radial" => LensDistortion.SimpleRadial(-0.12),
        "radial" => LensDistortion.Radial(-0.2, 0.05),
        "opencv" => LensDistortion.OpenCv(-0.25, 0.08, 0.001, -0.0005),
        "opencv_k3" => LensDistortion.OpenCv(0.1, -0.05, 0.001, 0.002, 0.01),
        "fox" => LensDistortion.OpenCv(0.0578421, -0.0805099, -0.000980296, 0.00015575),
        "fisheye" => LensDistortion.OpenCvFisheye(0.05, -0.01, 0.002, -0.0003),
        _ => LensDistortion.OpenCvFisheye(-0.2, 0.05, -0.01, 0.001),
    };
}
