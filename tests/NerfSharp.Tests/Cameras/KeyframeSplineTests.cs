using NerfSharp.Cameras;
using NerfSharp.Numerics;

namespace NerfSharp.Tests.Cameras;

public class KeyframeSplineTests
{
    /// <summary>Four keyframes around a scene, turning, rising and zooming, with one longer transition.</summary>
    private static List<CameraPathKeyframe> Keyframes()
    {
        var target = new Vector3D(0, 0, 0);
        var up = new Vector3D(0, 0, 1);
        return
        [
            new(OrbitPath.LookAt(new Vector3D(4, 0, 1), target, up), 50, 1.5),
            new(OrbitPath.LookAt(new Vector3D(0, 4, 2), target, up), 40, 1.5, TransitionSeconds: 3),
            new(OrbitPath.LookAt(new Vector3D(-3, 0, 0.5), target, up), 60, 1.5),
            new(OrbitPath.LookAt(new Vector3D(0, -5, 1.5), target, up), 45, 1.5),
        ];
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.5)]
    [InlineData(true, 0.0)]
    public void PassesExactlyThroughEveryKeyframeAtItsTime(bool cycle, double tension)
    {
        List<CameraPathKeyframe> keys = Keyframes();
        var spline = new KeyframeSpline(keys, 1.0, cycle, tension);
        Assert.Equal(cycle ? 6.0 : 5.0, spline.Duration, 12);
        double[] times = [0, 1, 4, 5];
        for (int k = 0; k < keys.Count; k++)
        {
            CameraPathPose p = spline.Evaluate(times[k]);
            CameraPathJsonTests.AssertPoseEqual(keys[k].CameraToWorld, p.CameraToWorld, 1e-9);
            Assert.Equal(keys[k].VerticalFovDegrees, p.VerticalFovDegrees, 9);
        }

        if (cycle)
        {
            CameraPathJsonTests.AssertPoseEqual(keys[0].CameraToWorld, spline.Evaluate(6).CameraToWorld, 1e-9);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConsecutiveFramesMoveSmoothlyWithoutJumps(bool cycle)
    {
        var spline = new KeyframeSpline(Keyframes(), 1.0, cycle);
        const int frames = 600;
        IReadOnlyList<CameraPathPose> path = spline.Sample(frames);
        Assert.Equal(frames, path.Count);
        var steps = new double[frames - 1];
        var turns = new double[frames - 1];
        for (int i = 0; i + 1 < frames; i++)
        {
            steps[i] = Distance(path[i].CameraToWorld, path[i + 1].CameraToWorld);
            turns[i] = Angle(path[i].CameraToWorld, path[i + 1].CameraToWorld);
            Assert.True(IsRotation(path[i].CameraToWorld), $"frame {i} is not a rotation");
        }

        // No jump: no step more than a few times the mean, and the step length itself changes gradually (C1: velocity continuous).
        double meanStep = steps.Average(), meanTurn = turns.Average();
        Assert.True(steps.Max() < 4 * meanStep, $"largest step {steps.Max()} against mean {meanStep}");
        Assert.True(turns.Max() < 4 * meanTurn + 1e-9, $"largest turn {turns.Max()} against mean {meanTurn}");
        for (int i = 0; i + 1 < steps.Length; i++)
        {
            Assert.True(Math.Abs(steps[i + 1] - steps[i]) < 0.05 * meanStep, $"step {i}: speed changes from {steps[i]} to {steps[i + 1]}");
            Assert.True(Math.Abs(turns[i + 1] - turns[i]) < 0.05 * meanTurn, $"step {i}: angular speed changes from {turns[i]} to {turns[i + 1]}");
        }
    }

    [Fact]
    public void VelocityIsContinuousAcrossAKeyframe()
    {
        // One-sided difference quotients of the centre in the spline parameter agree at keyframe 1 and 2 (C1), for position and rotation.
        var spline = new KeyframeSpline(Keyframes(), 1.0);
        const double h = 1e-5;
        foreach (double u in new[] { 1.0, 2.0 })
        {
            Pose before = spline.EvaluateAtParameter(u - h).CameraToWorld, at = spline.EvaluateAtParameter(u).CameraToWorld, after = spline.EvaluateAtParameter(u + h).CameraToWorld;
            for (int i = 0; i < 12; i++)
            {
                double left = (at.Values[i] - before.Values[i]) / h, right = (after.Values[i] - at.Values[i]) / h;
                Assert.True(Math.Abs(left - right) < 1e-3 * (1 + Math.Abs(left)), $"u = {u}, entry {i}: {left} vs {right}");
            }
        }
    }

    [Fact]
    public void FrameCountIsFpsTimesSeconds()
    {
        Assert.Equal(240, CameraPath.FrameCount(30, 8));
        Assert.Equal(75, CameraPath.FrameCount(29.97, 2.5));
        Assert.Equal(1, CameraPath.FrameCount(30, 0.001));
        var path = new CameraPath(64, 48, 24, 2) { Keyframes = Keyframes() };
        Assert.Equal(48, path.Resolve().Count);
        Assert.Equal(15, path.Resolve(fps: 5, seconds: 3).Count);
    }

    [Fact]
    public void TwoKeyframesGiveAStraightLineAndASlerp()
    {
        var a = new CameraPathKeyframe(UnitQuaternion.Identity.ToPose(0, 0, 0), 40, 1);
        var rot = UnitQuaternion.Exp(0, 0, Math.PI / 4); // 90 degrees about z
        var b = new CameraPathKeyframe(rot.ToPose(2, 0, 0), 60, 1);
        var spline = new KeyframeSpline([a, b], 1.0);
        CameraPathPose mid = spline.Evaluate(0.5);
        Assert.Equal(1.0, mid.CameraToWorld[0, 3], 12);
        Assert.Equal(50.0, mid.VerticalFovDegrees, 12);
        Assert.Equal(Math.Cos(Math.PI / 4), mid.CameraToWorld[0, 0], 9);
        Assert.Equal(Math.Sin(Math.PI / 4), mid.CameraToWorld[1, 0], 9);
    }

    [Fact]
    public void QuaternionRoundTripsRotationsOfEveryBranch()
    {
        var rng = new Random(7);
        for (int n = 0; n < 200; n++)
        {
            var q = new UnitQuaternion(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5).Normalized();
            Pose pose = q.ToPose(1, 2, 3);
            UnitQuaternion back = UnitQuaternion.FromPose(pose);
            Assert.True(Math.Abs(Math.Abs(UnitQuaternion.Dot(q, back)) - 1) < 1e-12, $"{q} -> {back}");
            CameraPathJsonTests.AssertPoseEqual(pose, back.ToPose(1, 2, 3), 1e-12);
        }

        // Half turns (trace -1) take the non-trace branches.
        foreach (Pose half in new[] { new Pose([1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0]), new Pose([-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1, 0]), new Pose([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0]) })
        {
            CameraPathJsonTests.AssertPoseEqual(half, UnitQuaternion.FromPose(half).ToPose(0, 0, 0), 1e-12);
        }
    }

    private static double Distance(Pose a, Pose b) => Math.Sqrt(Math.Pow(a[0, 3] - b[0, 3], 2) + Math.Pow(a[1, 3] - b[1, 3], 2) + Math.Pow(a[2, 3] - b[2, 3], 2));

    private static double Angle(Pose a, Pose b) => 2 * Math.Acos(Math.Min(1, Math.Abs(UnitQuaternion.Dot(UnitQuaternion.FromPose(a), UnitQuaternion.FromPose(b)))));

    private static bool IsRotation(Pose p)
    {
        for (int a = 0; a < 3; a++)
        {
            for (int b = 0; b < 3; b++)
            {
                double dot = (p[0, a] * p[0, b]) + (p[1, a] * p[1, b]) + (p[2, a] * p[2, b]);
                if (Math.Abs(dot - (a == b ? 1 : 0)) > 1e-9)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
