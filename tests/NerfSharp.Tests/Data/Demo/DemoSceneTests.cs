using NerfSharp.Data.Demo;

namespace NerfSharp.Tests.Data.Demo;

public sealed class DemoSceneTests
{
    [Fact]
    public void IntersectGivesExactDistances()
    {
        // Straight down through the sphere (centre (0.3, -0.25, 0.5), radius 0.5): top at z = 0.5 + sqrt(0.25 - 0.3^2 - 0.25^2).
        Assert.Equal(4 - (0.5 + Math.Sqrt(0.25 - 0.09 - 0.0625)), DemoScene.Intersect((0, 0, 4), (0, 0, -1)), 1e-12);
        Assert.Equal(DemoSceneObject.Sphere, DemoScene.Trace((0, 0, 4), (0, 0, -1)).Object);

        // Onto the top of the box (centre (-0.45, 0.4, 0.3), half height 0.3); the direction's length does not matter.
        Assert.Equal(3.4, DemoScene.Intersect((-0.45, 0.4, 4), (0, 0, -7)), 1e-12);
        Assert.Equal(DemoSceneObject.Box, DemoScene.Trace((-0.45, 0.4, 4), (0, 0, -1)).Object);

        // The ground disc at z = 0 (radius 1.1), clear of both objects; and just outside the disc.
        Assert.Equal(4.0, DemoScene.Intersect((0.9, 0.0, 4), (0, 0, -1)), 1e-12);
        Assert.Equal(DemoSceneObject.Ground, DemoScene.Trace((0.9, 0.0, 4), (0, 0, -1)).Object);
        Assert.Equal(double.PositiveInfinity, DemoScene.Intersect((1.11, 0.0, 4), (0, 0, -1)));

        // Sideways into the sphere's equator, along +x from x = -4 at y = -0.25, z = 0.5: the box is not in the way.
        Assert.Equal(4 + 0.3 - 0.5, DemoScene.Intersect((-4, -0.25, 0.5), (1, 0, 0)), 1e-12);

        // Away from everything.
        Assert.Equal(double.PositiveInfinity, DemoScene.Intersect((0, 0, 4), (0, 0, 1)));
        Assert.Equal(double.PositiveInfinity, DemoScene.Intersect((0, 0, 2), (1, 0, 0)));
        Assert.Equal((0.0, 0.0, 0.0, 0.0), DemoScene.Shade((0, 0, 4), (0, 0, 1)));
    }

    [Fact]
    public void BoxSideNormalIsRotatedWithTheBox()
    {
        // Along the box's local +x axis (rotated 25 degrees about z) towards its centre: enters through the +x face.
        double c = Math.Cos(DemoScene.BoxAngle), s = Math.Sin(DemoScene.BoxAngle);
        var centre = DemoScene.BoxCenter;
        var from = (centre.X + (3 * c), centre.Y + (3 * s), centre.Z);
        var hit = DemoScene.Trace(from, (-c, -s, 0));
        Assert.Equal(DemoSceneObject.Box, hit.Object);
        Assert.Equal(3 - DemoScene.BoxHalfSize.X, hit.Distance, 1e-12);
        Assert.Equal(c, hit.Normal.X, 1e-12);
        Assert.Equal(s, hit.Normal.Y, 1e-12);
    }

    [Fact]
    public void GeometryLiesInsideTheBoundsAndBetweenNearAndFar()
    {
        var rng = new Numerics.Rng(1);
        int hits = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var pose = DemoCameras.OnSphere(2 * Math.PI * rng.NextDouble(), Math.Asin(rng.NextDouble()), DemoScene.CameraRadius);
            var dir = pose.RotateToWorld((rng.NextDouble() - 0.5) * 0.8, (rng.NextDouble() - 0.5) * 0.8, -1);
            var hit = DemoScene.Trace(pose.Origin, dir);
            if (!hit.IsHit)
            {
                continue;
            }

            hits++;
            double len = Math.Sqrt((dir.X * dir.X) + (dir.Y * dir.Y) + (dir.Z * dir.Z));
            Assert.InRange(hit.Distance * len, DemoScene.Near, DemoScene.Far);
            Assert.InRange(Math.Max(Math.Abs(hit.Point.X), Math.Max(Math.Abs(hit.Point.Y), Math.Abs(hit.Point.Z))), 0, DemoScene.HalfExtent);
        }

        Assert.True(hits > 5_000, $"{hits} hits");
    }

    [Fact]
    public void ShadingIsViewDependentAndTextured()
    {
        // One point on the sphere, seen from two cameras: same surface, different colour (specular).
        var point = (0.3 + (0.5 * 0.6), -0.25, 0.5 + (0.5 * 0.8));
        var eyeA = (2.4, -1.2, 3.0);
        var eyeB = (1.0, 2.5, 3.0);
        var a = DemoScene.Shade(eyeA, (point.Item1 - eyeA.Item1, point.Item2 - eyeA.Item2, point.Item3 - eyeA.Item3));
        var b = DemoScene.Shade(eyeB, (point.Item1 - eyeB.Item1, point.Item2 - eyeB.Item2, point.Item3 - eyeB.Item3));
        Assert.Equal(1.0, a.A);
        Assert.Equal(1.0, b.A);
        Assert.True(Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B) > 0.05, $"{a} vs {b}");

        // Texture: two ground points with the same normal, light and nearly the same view differ in colour.
        var g1 = DemoScene.Shade((0.1, 0.9, 4), (0, 0, -1));
        var g2 = DemoScene.Shade((0.1 + 0.25, 0.9, 4), (0, 0, -1));
        Assert.True(Math.Abs(g1.R - g2.R) > 0.2, $"{g1} vs {g2}");
    }

    [Fact]
    public void LookAtBuildsAnOpenGlCameraToWorld()
    {
        var pose = DemoCameras.LookAt((1, 2, 3), (0.5, -0.5, 0.25), (0, 0, 1));
        Assert.Equal((1.0, 2.0, 3.0), pose.Origin);
        var forward = pose.RotateToWorld(0, 0, -1);
        var expected = (0.5 - 1, -0.5 - 2, 0.25 - 3);
        double len = Math.Sqrt((0.25) + (6.25) + (7.5625));
        Assert.Equal(expected.Item1 / len, forward.X, 1e-12);
        Assert.Equal(expected.Item2 / len, forward.Y, 1e-12);
        Assert.Equal(expected.Item3 / len, forward.Z, 1e-12);
        Assert.Equal(0.0, pose.RotateToWorld(1, 0, 0).Z, 1e-12);
        Assert.True(pose.RotateToWorld(0, 1, 0).Z > 0);
        Assert.Throws<ArgumentException>(() => DemoCameras.LookAt((0, 0, 3), (0, 0, 0), (0, 0, 1)));
    }
}
