using NerfSharp.Cameras;
using NerfSharp.Numerics;

namespace NerfSharp.Tests.Cameras;

public class CameraPathsTests
{
    private static readonly double Root3 = Math.Sqrt(3);

    [Fact]
    public void PoseSphericalMatchesHandComputedBlenderPose()
    {
        // trans_t(4), rot_phi(-30 deg), rot_theta(0), then [[-1,0,0],[0,0,1],[0,1,0]] (worked out by hand).
        Pose pose = CameraPaths.PoseSpherical(0, -30, 4);
        double[] expected = [-1, 0, 0, 0, 0, -0.5, Root3 / 2, 2 * Root3, 0, Root3 / 2, 0.5, 2];
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(expected[i], pose.Values[i], 12);
        }
    }

    [Fact]
    public void PoseSphericalTurnsAboutTheWorldZAxis()
    {
        // theta = 90: rot_theta takes (0, 0, 2) to (-2, 0, 0); the axis swap negates x.
        Pose pose = CameraPaths.PoseSpherical(90, 0, 2);
        var (x, y, z) = pose.Origin;
        Assert.Equal(2, x, 12);
        Assert.Equal(0, y, 12);
        Assert.Equal(0, z, 12);
    }

    [Fact]
    public void SphericalPathOrbitsTheOriginAtFixedElevation()
    {
        IReadOnlyList<Pose> path = CameraPaths.SphericalPath();
        Assert.Equal(40, path.Count);
        AssertPoseEqual(CameraPaths.PoseSpherical(-180, -30, 4), path[0]);
        AssertPoseEqual(CameraPaths.PoseSpherical(0, -30, 4), path[20]);
        AssertPoseEqual(CameraPaths.PoseSpherical(171, -30, 4), path[39]);
        foreach (Pose p in path)
        {
            AssertOrthonormal(p);
            var (x, y, z) = p.Origin;
            Assert.Equal(4, Math.Sqrt((x * x) + (y * y) + (z * z)), 12);
            Assert.Equal(2, z, 12);

            // The camera looks down -z: origin - 4 * z_axis is the world origin.
            Assert.Equal(0, x - (4 * p[0, 2]), 12);
            Assert.Equal(0, y - (4 * p[1, 2]), 12);
            Assert.Equal(0, z - (4 * p[2, 2]), 12);
        }
    }

    [Fact]
    public void SpiralCirclesTheAveragePoseAndLooksAtTheFocusDepth()
    {
        // Four identity-rotation cameras with centroid 0: the average pose is the identity,
        // 90th-percentile radii are (0.2, 0.1, 0.05), focus depth 1 / (0.25 / 0.9 + 0.75 / 50).
        var poses = new List<Pose>();
        foreach (var (x, y, z) in new[] { (0.2, 0.1, 0.05), (-0.2, -0.1, -0.05), (0.2, -0.1, -0.05), (-0.2, 0.1, 0.05) })
        {
            poses.Add(new Pose([1, 0, 0, x, 0, 1, 0, y, 0, 0, 1, z]));
        }

        IReadOnlyList<Pose> path = CameraPaths.Spiral(poses, near: 1, far: 10);
        Assert.Equal(120, path.Count);
        double focal = 1 / ((0.25 / 0.9) + (0.75 / 50));
        for (int k = 0; k < path.Count; k++)
        {
            double theta = 2 * Math.PI * 2 * k / 120;
            double cx = 0.2 * Math.Cos(theta), cy = -0.1 * Math.Sin(theta), cz = -0.05 * Math.Sin(theta * 0.5);
            Pose p = path[k];
            AssertOrthonormal(p);
            Assert.Equal(cx, p[0, 3], 12);
            Assert.Equal(cy, p[1, 3], 12);
            Assert.Equal(cz, p[2, 3], 12);

            // z axis points from the focus point (0, 0, -focal) to the camera.
            double n = Math.Sqrt((cx * cx) + (cy * cy) + ((cz + focal) * (cz + focal)));
            Assert.Equal(cx / n, p[0, 2], 12);
            Assert.Equal(cy / n, p[1, 2], 12);
            Assert.Equal((cz + focal) / n, p[2, 2], 12);

            // x axis is normalise(up x z) with up = +y.
            Assert.Equal(0, p[1, 0], 12);
        }
    }

    [Fact]
    public void PercentileInterpolatesLikeNumpy()
    {
        // numpy.percentile([1, 2, 3, 4, 10], 90) = 4 + 0.6 * 6 = 7.6
        Assert.Equal(7.6, CameraPaths.Percentile([10, 1, 3, 2, 4], 90), 12);
        Assert.Equal(5, CameraPaths.Percentile([5], 90), 12);
    }

    private static void AssertPoseEqual(Pose expected, Pose actual)
    {
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(expected.Values[i], actual.Values[i], 12);
        }
    }

    private static void AssertOrthonormal(Pose p)
    {
        for (int a = 0; a < 3; a++)
        {
            for (int b = 0; b < 3; b++)
            {
                double dot = (p[0, a] * p[0, b]) + (p[1, a] * p[1, b]) + (p[2, a] * p[2, b]);
                Assert.Equal(a == b ? 1 : 0, dot, 12);
            }
        }

        double det = (p[0, 0] * ((p[1, 1] * p[2, 2]) - (p[1, 2] * p[2, 1])))
            - (p[0, 1] * ((p[1, 0] * p[2, 2]) - (p[1, 2] * p[2, 0])))
            + (p[0, 2] * ((p[1, 0] * p[2, 1]) - (p[1, 1] * p[2, 0])));
        Assert.Equal(1, det, 12);
    }
}
