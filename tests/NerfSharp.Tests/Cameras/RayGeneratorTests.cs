using NerfSharp.Cameras;
using NerfSharp.IO;
using NerfSharp.Numerics;
using NerfSharp.Tests.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cameras;

public class RayGeneratorTests
{
    [Fact]
    public void MatchesNerfPytorchGetRaysOnLegoFrame0()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("rays"));
        double[] k = golden["K"].ToDoubles();
        int width = int.Parse(golden.Metadata["W"], System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(golden.Metadata["H"], System.Globalization.CultureInfo.InvariantCulture);
        var camera = new Camera(new PinholeIntrinsics(width, height, k[0], k[4], k[2], k[5]), new Pose(golden["c2w"].ToDoubles()));
        long[] pixels = golden["pixels_ij"].ToInt64();
        int n = pixels.Length / 2;
        var origins = new double[n * 3];
        var directions = new double[n * 3];
        for (int p = 0; p < n; p++)
        {
            Ray ray = RayGenerator.GetRay(camera, pixels[2 * p], pixels[(2 * p) + 1]);
            (origins[3 * p], origins[(3 * p) + 1], origins[(3 * p) + 2]) = (ray.OriginX, ray.OriginY, ray.OriginZ);
            (directions[3 * p], directions[(3 * p) + 1], directions[(3 * p) + 2]) = (ray.DirX, ray.DirY, ray.DirZ);
        }

        ToleranceAssert.AllClose(golden["rays_o"].ToDoubles(), origins, 1e-12, 1e-9, "rays_o");
        ToleranceAssert.AllClose(golden["rays_d"].ToDoubles(), directions, 1e-12, 1e-9, "rays_d");
    }

    [Fact]
    public void GoldenIntrinsicsAreNerfPytorchsFocalFromCameraAngle()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("rays"));
        double angle = double.Parse(golden.Metadata["camera_angle_x"], System.Globalization.CultureInfo.InvariantCulture);
        var expected = PinholeIntrinsics.FromFocal(400, 400, 0.5 * 400 / Math.Tan(0.5 * angle));
        double[] k = golden["K"].ToDoubles();
        Assert.Equal(expected.Fx, k[0], 1e-9);
        Assert.Equal(expected.Cx, k[2]);
        Assert.Equal(expected.Cy, k[5]);
    }

    [Fact]
    public void PrincipalPointLooksDownMinusZAndColumnsGoRightRowsGoDown()
    {
        var camera = new Camera(PinholeIntrinsics.FromFocal(40, 30, 50), Pose.Identity);
        Ray centre = RayGenerator.GetRay(camera, 20, 15);
        Assert.Equal(new Ray(0, 0, 0, 0, 0, -1), centre);
        Ray right = RayGenerator.GetRay(camera, 30, 15);
        Assert.Equal(0.2, right.DirX, 15);
        Ray below = RayGenerator.GetRay(camera, 20, 25);
        Assert.Equal(-0.2, below.DirY, 15);
        Assert.Equal(Math.Sqrt(1.08), RayGenerator.GetRay(camera, 30, 25).DirectionNorm, 15);
    }
}
