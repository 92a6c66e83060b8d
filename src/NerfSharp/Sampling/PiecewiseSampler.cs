using NerfSharp.Numerics;

namespace NerfSharp.Sampling;

/// <summary>
/// nerfstudio's <c>UniformLinDispPiecewiseSampler</c> (nerfacto's initial sampler): samples uniform in the normalised
/// spacing s in [0, 1] between a ray's near and far, where the spacing function g(t) = t / 2 for t &lt; 1 and
/// 1 - 1 / (2 t) beyond makes the samples uniform in distance up to 1 from the camera and linear in disparity after:
/// t(s) = g^-1(s g(far) + (1 - s) g(near)), g^-1(x) = 2 x for x &lt; 1/2 and 1 / (2 - 2 x) beyond.
/// Ray r gets <c>n</c> contiguous intervals between n + 1 edges; in evaluation the edges are s_k = k / n, in training one
/// jitter u per ray (single jitter) moves them to lower_k + u (upper_k - lower_k) with lower/upper the neighbouring
/// bin centres (0 and 1 at the ends). Distances t are along unit directions (world units).
/// </summary>
public static class PiecewiseSampler
{
    /// <summary>g(t).</summary>
    public static float Spacing(float t) => t < 1f ? 0.5f * t : 1f - (0.5f / t);

    /// <summary>g^-1(s).</summary>
    public static float InverseSpacing(float s) => s < 0.5f ? 2f * s : 1f / (2f - (2f * s));

    /// <summary>Distance along a ray with spacings g(near) = <paramref name="sNear"/>, g(far) = <paramref name="sFar"/> of normalised spacing <paramref name="s"/>.</summary>
    public static float ToDistance(float s, float sNear, float sFar) => InverseSpacing((s * sFar) + ((1f - s) * sNear));

    /// <summary>
    /// Draws the per-ray jitters of a training step (one uniform number per ray, in ray order) into <paramref name="jitter"/>.
    /// </summary>
    public static void DrawJitter(Rng rng, Span<float> jitter)
    {
        for (int r = 0; r < jitter.Length; r++)
        {
            jitter[r] = rng.NextFloat();
        }
    }

    /// <summary>
    /// Samples rays [firstRay, endRay) into <paramref name="samples"/>: ray r owns samples [r n, (r + 1) n). Writes
    /// TStart/TEnd (world distances), RayIndex, RayStart/RayCount of those rays, and the intervals' normalised spacing
    /// bounds. <paramref name="jitter"/> empty: evaluation edges; else jitter[r] for ray r. Call <see cref="RaySamples.Reset"/>
    /// and set <see cref="RaySamples.Samples"/> = rays * n around the calls (rays may be split over threads).
    /// </summary>
    public static void Sample(
        ReadOnlySpan<float> near,
        ReadOnlySpan<float> far,
        int firstRay,
        int endRay,
        int n,
        ReadOnlySpan<float> jitter,
        RaySamples samples,
        Span<float> spacingStart,
        Span<float> spacingEnd)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        for (int r = firstRay; r < endRay; r++)
        {
            float sNear = Spacing(near[r]), sFar = Spacing(far[r]);
            float u = jitter.IsEmpty ? -1f : jitter[r];
            int first = r * n;
            samples.RayStart[r] = first;
            samples.RayCount[r] = n;
            float previousS = Edge(0, n, u);
            float previousT = ToDistance(previousS, sNear, sFar);
            for (int k = 0; k < n; k++)
            {
                float s = Edge(k + 1, n, u);
                float t = ToDistance(s, sNear, sFar);
                int i = first + k;
                samples.TStart[i] = previousT;
                samples.TEnd[i] = t;
                samples.RayIndex[i] = r;
                spacingStart[i] = previousS;
                spacingEnd[i] = s;
                previousS = s;
                previousT = t;
            }
        }
    }

    /// <summary>Edge k of n intervals: k / n, or with jitter u in [0, 1): between the neighbouring bin centres.</summary>
    public static float Edge(int k, int n, float u)
    {
        if (u < 0f)
        {
            return (float)k / n;
        }

        float lower = k == 0 ? 0f : (k - 0.5f) / n;
        float upper = k == n ? 1f : (k + 0.5f) / n;
        return lower + ((upper - lower) * u);
    }
}
