using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// A smooth camera path through keyframes, as nerfstudio's viewer builds it: a uniform Kochanek-Bartels spline (tension only,
/// tension 0 is Catmull-Rom) per coordinate for the camera centre and the field of view, squad for the rotation, all in a
/// spline parameter u that is k at keyframe k; time in seconds maps to u through a monotone cubic (Fritsch-Carlson) through
/// (cumulative transition time, k), so keyframes with longer transitions take longer. Ends are "natural" (zero second
/// derivative) for an open path; a cycle closes back to the first keyframe. The path passes exactly through every
/// keyframe, and its position and rotation are C1 in u.
/// </summary>
public sealed class KeyframeSpline
{
    private readonly CameraPathKeyframe[] keys;
    private readonly UnitQuaternion[] rotations;
    private readonly UnitQuaternion[] inner;
    private readonly double[][] channels;
    private readonly double[][] tangents;
    private readonly double[] knotTimes;
    private readonly double[] knotSlopes;
    private readonly bool cycle;

    /// <param name="keyframes">At least one keyframe (a single one gives a still camera).</param>
    /// <param name="defaultTransitionSeconds">Transition length for keyframes without their own (positive).</param>
    /// <param name="isCycle">Whether the path returns to the first keyframe.</param>
    /// <param name="tension">Kochanek-Bartels tension in [0, 1]: 0 Catmull-Rom, 1 stops at every keyframe.</param>
    public KeyframeSpline(IReadOnlyList<CameraPathKeyframe> keyframes, double defaultTransitionSeconds, bool isCycle = false, double tension = 0)
    {
        ArgumentNullException.ThrowIfNull(keyframes);
        if (keyframes.Count == 0)
        {
            throw new ArgumentException("a camera path needs at least one keyframe", nameof(keyframes));
        }

        if (!(defaultTransitionSeconds > 0) || !double.IsFinite(defaultTransitionSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(defaultTransitionSeconds), "the transition time must be positive");
        }

        if (!(tension >= 0 && tension <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tension), "the tension must lie in [0, 1]");
        }

        keys = keyframes.ToArray();
        cycle = isCycle && keys.Length > 1;
        int n = keys.Length;
        int segments = cycle ? n : n - 1;

        // Rotations on one hemisphere relative to their predecessor, so that each segment takes the short arc.
        rotations = new UnitQuaternion[n];
        for (int k = 0; k < n; k++)
        {
            UnitQuaternion q = UnitQuaternion.FromPose(keys[k].CameraToWorld);
            rotations[k] = k > 0 && UnitQuaternion.Dot(q, rotations[k - 1]) < 0 ? -q : q;
        }

        inner = new UnitQuaternion[n];
        for (int k = 0; k < n; k++)
        {
            bool hasPrevious = cycle || k > 0, hasNext = cycle || k < n - 1;
            if (!hasPrevious || !hasNext)
            {
                inner[k] = rotations[k];
                continue;
            }

            UnitQuaternion previous = Neighbour(k, -1), next = Neighbour(k, 1);
            inner[k] = UnitQuaternion.InnerControlPoint(previous, rotations[k], next, tension);
        }

        // Channels: camera centre x, y, z and the field of view.
        channels = new double[4][];
        tangents = new double[4][];
        for (int c = 0; c < 4; c++)
        {
            channels[c] = new double[n];
            for (int k = 0; k < n; k++)
            {
                channels[c][k] = c < 3 ? keys[k].CameraToWorld[c, 3] : keys[k].VerticalFovDegrees;
            }

            tangents[c] = KochanekBartelsTangents(channels[c], cycle, tension);
        }

        knotTimes = new double[segments + 1];
        for (int k = 0; k < segments; k++)
        {
            double t = keys[k].TransitionSeconds ?? defaultTransitionSeconds;
            if (!(t > 0) || !double.IsFinite(t))
            {
                throw new ArgumentException($"keyframe {k} has a transition time of {t} s; it must be positive", nameof(keyframes));
            }

            knotTimes[k + 1] = knotTimes[k] + t;
        }

        knotSlopes = MonotoneSlopes(knotTimes);
    }

    /// <summary>The path's length in seconds (the sum of its transitions; 0 for a single keyframe).</summary>
    public double Duration => knotTimes[^1];

    /// <summary>Whether the path closes back to its first keyframe.</summary>
    public bool IsCycle => cycle;

    /// <summary>The camera at <paramref name="seconds"/> (clamped to [0, <see cref="Duration"/>]).</summary>
    public CameraPathPose Evaluate(double seconds) => EvaluateAtParameter(ParameterAt(seconds));

    /// <summary>
    /// <paramref name="frames"/> cameras evenly spaced in time: from the first keyframe to the last for an open path (both included),
    /// over one full turn (the end, equal to the start, left out) for a cycle.
    /// </summary>
    public IReadOnlyList<CameraPathPose> Sample(int frames)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        var result = new CameraPathPose[frames];
        for (int i = 0; i < frames; i++)
        {
            double t = cycle ? Duration * i / frames : frames == 1 ? 0 : Duration * i / (frames - 1);
            result[i] = Evaluate(t);
        }

        return result;
    }

    /// <summary>The camera at spline parameter <paramref name="u"/> (k at keyframe k), clamped to the path.</summary>
    public CameraPathPose EvaluateAtParameter(double u)
    {
        int n = keys.Length;
        int segments = knotTimes.Length - 1;
        if (segments == 0)
        {
            return keys[0].AsPose;
        }

        u = Math.Clamp(u, 0, segments);
        int k = Math.Min((int)Math.Floor(u), segments - 1);
        double s = u - k;
        int k1 = (k + 1) % n;

        UnitQuaternion q1 = rotations[k1], s1 = inner[k1];
        if (UnitQuaternion.Dot(rotations[k], q1) < 0)
        {
            q1 = -q1;
            s1 = -s1;
        }

        UnitQuaternion q = UnitQuaternion.Squad(rotations[k], inner[k], s1, q1, s);
        var v = new double[4];
        double h00 = ((2 * s) - 3) * s * s + 1, h10 = ((s - 2) * s + 1) * s, h01 = (3 - (2 * s)) * s * s, h11 = (s - 1) * s * s;
        for (int c = 0; c < 4; c++)
        {
            v[c] = (h00 * channels[c][k]) + (h10 * tangents[c][k]) + (h01 * channels[c][k1]) + (h11 * tangents[c][k1]);
        }

        double aspect = keys[k].Aspect + (s * (keys[k1].Aspect - keys[k].Aspect));
        return new CameraPathPose(q.ToPose(v[0], v[1], v[2]), v[3], aspect);
    }

    /// <summary>The spline parameter at <paramref name="seconds"/>: the monotone cubic through (cumulative time, keyframe index).</summary>
    public double ParameterAt(double seconds)
    {
        int segments = knotTimes.Length - 1;
        if (segments == 0 || !(seconds > 0))
        {
            return 0;
        }

        if (seconds >= Duration)
        {
            return segments;
        }

        int k = Array.BinarySearch(knotTimes, seconds);
        if (k >= 0)
        {
            return k;
        }

        k = ~k - 1;
        double h = knotTimes[k + 1] - knotTimes[k];
        double s = (seconds - knotTimes[k]) / h;
        double h00 = ((2 * s) - 3) * s * s + 1, h10 = ((s - 2) * s + 1) * s, h01 = (3 - (2 * s)) * s * s, h11 = (s - 1) * s * s;
        return (h00 * k) + (h10 * h * knotSlopes[k]) + (h01 * (k + 1)) + (h11 * h * knotSlopes[k + 1]);
    }

    private UnitQuaternion Neighbour(int k, int step)
    {
        int n = rotations.Length;
        UnitQuaternion q = rotations[((k + step) % n + n) % n];
        return UnitQuaternion.Dot(q, rotations[k]) < 0 ? -q : q;
    }

    /// <summary>
    /// Tangents per unit of the spline parameter: (1 - tension) (p[k+1] - p[k-1]) / 2 inside (and at every point of a cycle);
    /// at the open ends the natural condition (zero second derivative): m0 = (3 (p1 - p0) - m1) / 2, and likewise at the end.
    /// </summary>
    private static double[] KochanekBartelsTangents(double[] p, bool cycle, double tension)
    {
        int n = p.Length;
        var m = new double[n];
        if (n == 1)
        {
            return m;
        }

        for (int k = 0; k < n; k++)
        {
            if (cycle || (k > 0 && k < n - 1))
            {
                m[k] = (1 - tension) * 0.5 * (p[(k + 1) % n] - p[(k - 1 + n) % n]);
            }
        }

        if (!cycle)
        {
            if (n == 2)
            {
                m[0] = m[1] = p[1] - p[0];
            }
            else
            {
                m[0] = 0.5 * ((3 * (p[1] - p[0])) - m[1]);
                m[n - 1] = 0.5 * ((3 * (p[n - 1] - p[n - 2])) - m[n - 2]);
            }
        }

        return m;
    }

    /// <summary>Fritsch-Carlson slopes of the monotone cubic through (x[k], k): harmonic means of neighbouring secants, one-sided at the ends.</summary>
    private static double[] MonotoneSlopes(double[] x)
    {
        int n = x.Length;
        var d = new double[n];
        if (n < 2)
        {
            return d;
        }

        var secant = new double[n - 1];
        for (int k = 0; k < n - 1; k++)
        {
            secant[k] = 1.0 / (x[k + 1] - x[k]);
        }

        d[0] = secant[0];
        d[n - 1] = secant[n - 2];
        for (int k = 1; k < n - 1; k++)
        {
            d[k] = 2.0 / ((1.0 / secant[k - 1]) + (1.0 / secant[k]));
        }

        return d;
    }
}
