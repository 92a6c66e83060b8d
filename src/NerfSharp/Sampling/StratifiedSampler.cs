using NerfSharp.Numerics;

namespace NerfSharp.Sampling;

/// <summary>
/// Coarse sample depths along each ray, as in nerf-pytorch's <c>render_rays</c>: t = linspace(0, 1, n),
/// z = near (1 - t) + far t (or linear in disparity: 1 / (1/near (1 - t) + 1/far t)); with perturbation,
/// each z is redrawn uniformly in [lower, upper] where the bounds are the midpoints between neighbours
/// (the first interval starts at z_0, the last ends at z_(n-1)).
/// </summary>
public static class StratifiedSampler
{
    /// <summary>
    /// Writes z[ray * samplesPerRay + k]. <paramref name="near"/> and <paramref name="far"/> hold one bound per ray.
    /// With <paramref name="perturb"/>, one uniform number per sample is drawn from <paramref name="rng"/> in ray-major order.
    /// </summary>
    public static void Sample(ReadOnlySpan<float> near, ReadOnlySpan<float> far, int rayCount, int samplesPerRay, bool linDisp, bool perturb, Rng rng, Span<float> z)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rayCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplesPerRay);
        if (near.Length < rayCount || far.Length < rayCount)
        {
            throw new ArgumentException($"near/far hold {near.Length}/{far.Length} bounds for {rayCount} rays");
        }

        if (z.Length < rayCount * samplesPerRay)
        {
            throw new ArgumentException($"z holds {z.Length} values, {rayCount} rays x {samplesPerRay} samples need {rayCount * samplesPerRay}", nameof(z));
        }

        if (perturb)
        {
            ArgumentNullException.ThrowIfNull(rng);
        }

        float step = samplesPerRay > 1 ? 1.0f / (samplesPerRay - 1) : 0.0f;
        for (int r = 0; r < rayCount; r++)
        {
            float n = near[r], f = far[r];
            Span<float> zr = z.Slice(r * samplesPerRay, samplesPerRay);
            if (linDisp)
            {
                float invNear = 1.0f / n, invFar = 1.0f / f;
                for (int k = 0; k < samplesPerRay; k++)
                {
                    float t = k * step;
                    zr[k] = 1.0f / ((invNear * (1.0f - t)) + (invFar * t));
                }
            }
            else
            {
                for (int k = 0; k < samplesPerRay; k++)
                {
                    float t = k * step;
                    zr[k] = (n * (1.0f - t)) + (f * t);
                }
            }

            if (perturb)
            {
                // In place, left to right: lower_k needs the unperturbed z_(k-1), kept in 'previous'.
                float previous = zr[0];
                for (int k = 0; k < samplesPerRay; k++)
                {
                    float current = zr[k];
                    float lower = k == 0 ? current : 0.5f * (current + previous);
                    float upper = k == samplesPerRay - 1 ? current : 0.5f * (zr[k + 1] + current);
                    zr[k] = lower + ((upper - lower) * rng.NextFloat());
                    previous = current;
                }
            }
        }
    }
}
