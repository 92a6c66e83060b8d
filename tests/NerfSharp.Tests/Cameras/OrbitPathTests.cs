using NerfSharp.Cameras;
using NerfSharp.Numerics;

namespace NerfSharp.Tests.Cameras;

public class OrbitPathTests
{
    [Fact]
    public void OrbitsTheCentreOfBlenderStyleCamerasAtTheirHeightAndRadius()
    {
        // Training cameras on the upper hemisphere of radius 4 about (1, -2, 0.5), all looking at it (as the Blender scenes).
        var centre = new Vector3D(1, -2, 0.5);
        // Evenly spaced azimuths at two alternating elevations, so that the summed up vectors point exactly along +z.
        var poses = new List<Pose>();
        for (int k = 0; k < 30; k++)
        {
            double azimuth = (2 * Math.PI * k / 30) + 0.4, elevation = k % 2 == 0 ? 0.3 : 0.6;
            var position = centre + (new Vector3D(Math.Cos(azimuth) * Math.Cos(elevation), Math.Sin(azimuth) * Math.Cos(elevation), Math.Sin(elevation)) * 4);
            poses.Add(OrbitPath.LookAt(position, centre, new Vector3D(0, 0, 1)));
        }

        Vector3D found = OrbitPath.SceneCentre(poses);
        Assert.True((found - centre).Length < 1e-9, $"centre {found}");

        double height = poses.Average(p => p[2, 3] - centre.Z);
        double radius = poses.Average(p => Math.Sqrt(Math.Pow(p[0, 3] - centre.X, 2) + Math.Pow(p[1, 3] - centre.Y, 2)));
        IReadOnlyList<Pose> orbit = OrbitPath.Create(poses, 24);
        Assert.Equal(24, orbit.Count);
        foreach (Pose p in orbit)
        {
            Assert.Equal(height, p[2, 3] - centre.Z, 9);
            Assert.Equal(radius, Math.Sqrt(Math.Pow(p[0, 3] - centre.X, 2) + Math.Pow(p[1, 3] - centre.Y, 2)), 9);

            // Looks at the centre: the camera's -z axis points from its position to the centre.
            Vector3D toCentre = (centre - new Vector3D(p[0, 3], p[1, 3], p[2, 3])).Normalized();
            Assert.True(Vector3D.Dot(toCentre, new Vector3D(-p[0, 2], -p[1, 2], -p[2, 2])) > 1 - 1e-9);

            // Level horizon: the camera's x axis is horizontal.
            Assert.True(Math.Abs(p[2, 0]) < 1e-9);
        }

        // The first pose starts at the first camera's azimuth; consecutive poses are 15 degrees apart.
        double a0 = Math.Atan2(orbit[0][1, 3] - centre.Y, orbit[0][0, 3] - centre.X), c0 = Math.Atan2(poses[0][1, 3] - centre.Y, poses[0][0, 3] - centre.X);
        Assert.Equal(c0, a0, 9);
        double a1 = Math.Atan2(orbit[1][1, 3] - centre.Y, orbit[1][0, 3] - centre.X);
        Assert.Equal(15.0, (((a1 - a0) * 180 / Math.PI) + 360) % 360, 9);
    }

    [Fact]
    public void ForwardFacingCamerasFallBackToTheirMeanCentre()
    {
        var poses = new List<Pose>();
        for (int k = 0; k < 5; k++)
        {
            poses.Add(new Pose([1, 0, 0, k * 0.1, 0, 1, 0, 0, 0, 0, 1, 0]));
        }

        Vector3D c = OrbitPath.SceneCentre(poses);
        Assert.Equal(0.2, c.X, 12);
        Assert.Equal(0.0, c.Z, 12);
    }

    [Fact]
    public void CamerasOnAnArcGiveASweepOfThatArcOnly()
    {
        // Cameras from azimuth 20 to 110 degrees about (0, 0, 0), level and looking at it (a capture of something on a wall).
        var centre = new Vector3D(0, 0, 0);
        var poses = new List<Pose>();
        for (int k = 0; k < 10; k++)
        {
            double azimuth = (20 + (10 * k)) * Math.PI / 180;
            var position = new Vector3D(Math.Cos(azimuth), Math.Sin(azimuth), 0) * 3;
            poses.Add(OrbitPath.LookAt(position, centre, new Vector3D(0, 0, 1)));
        }

        IReadOnlyList<Pose> orbit = OrbitPath.Create(poses, 40);
        Vector3D found = OrbitPath.SceneCentre(poses);
        var azimuths = orbit.Select(p => Math.Atan2(p[1, 3] - found.Y, p[0, 3] - found.X) * 180 / Math.PI).ToArray();
        Assert.Equal(20.0, azimuths[0], 6);
        Assert.Equal(110.0, azimuths[20], 6);
        Assert.Equal(20.0, azimuths.Min(), 6);
        Assert.Equal(110.0, azimuths.Max(), 6);
        Assert.Equal(azimuths[10], azimuths[30], 6);
    }

    [Fact]
    public void UpIsPerpendicularToLevelCamerasXAxesEvenWhenTheyAllLookDown()
    {
        // Level cameras on half a circle, all looking 40 degrees down at the centre: their summed y axes lean towards the
        // middle of the arc, but their x axes are all horizontal, so up is exactly +z.
        var poses = new List<Pose>();
        for (int k = 0; k < 12; k++)
        {
            double azimuth = Math.PI * k / 11, elevation = 40 * Math.PI / 180;
            var position = new Vector3D(Math.Cos(azimuth) * Math.Cos(elevation), Math.Sin(azimuth) * Math.Cos(elevation), Math.Sin(elevation)) * 3;
            poses.Add(OrbitPath.LookAt(position, new Vector3D(0, 0, 0), new Vector3D(0, 0, 1)));
        }

        Vector3D up = OrbitPath.UpDirection(poses);
        Assert.True(Vector3D.Dot(up, new Vector3D(0, 0, 1)) > 1 - 1e-9, $"up {up}");
        Vector3D summed = poses.Aggregate(Vector3D.Zero, (a, p) => a + new Vector3D(p[0, 1], p[1, 1], p[2, 1])).Normalized();
        Assert.True(Vector3D.Dot(summed, new Vector3D(0, 0, 1)) < 0.95, "the test must tell the two estimates apart");

        // Parallel cameras (a forward-facing capture) leave the vertical to the summed up vectors.
        var parallel = Enumerable.Range(0, 5).Select(k => new Pose([1, 0, 0, k * 0.1, 0, 0.9, -0.436, 0, 0, 0.436, 0.9, 0])).ToList();
        Vector3D fallback = OrbitPath.UpDirection(parallel);
        Assert.Equal(0.9, fallback.Y, 2);
    }
}
