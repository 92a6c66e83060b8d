using NerfSharp.Rendering;

namespace NerfSharp.Losses;

/// <summary>
/// mip-NeRF 360's distortion loss over packed ragged samples, as nerfstudio's <c>lossfun_distortion</c>: per ray, with
/// weights w_i on intervals [s_i, e_i] with midpoints m_i,
/// L_ray = sum_(i,j) w_i w_j |m_i - m_j| + 1/3 sum_i w_i^2 (e_i - s_i); it pulls each ray's weight into one compact
/// interval. nerfstudio evaluates it in normalised spacing coordinates (the sampler's s in [0, 1]); pass whichever
/// coordinate the model uses. The loss is summed over rays and multiplied by a caller's <c>scale</c>
/// (nerfacto: distortion multiplier / number of rays, the mean over the batch); rays with no samples add 0.
/// <para>Along each ray the midpoints must not decrease (true of every sampler's sorted, disjoint intervals): then
/// sum_j w_j |m_i - m_j| comes from running prefix sums, O(n) per ray instead of O(n^2). Sums run in double.</para>
/// </summary>
public static class DistortionLoss
{
    /// <summary>scale * sum over rays of L_ray.</summary>
    public static double Forward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<float> start,
        ReadOnlySpan<float> end,
        double scale)
    {
        Check(rayStart, rayCount, weights.Length, start.Length, end.Length);
        double total = 0;
        for (int r = 0; r < rayStart.Length; r++)
        {
            int first = rayStart[r], stop = first + rayCount[r];

            // Inter term by symmetry: 2 sum_i w_i sum_(j<i) w_j (m_i - m_j) = 2 sum_i w_i (m_i W_(<i) - (wm)_(<i)).
            double inter = 0, intra = 0, w = 0, wm = 0, previous = double.NegativeInfinity;
            for (int s = first; s < stop; s++)
            {
                double m = Midpoint(start, end, s, ref previous);
                double ws = weights[s];
                inter += ws * ((m * w) - wm);
                intra += ws * ws * ((double)end[s] - start[s]);
                w += ws;
                wm += ws * m;
            }

            total += (2 * inter) + (intra / 3);
        }

        return scale * total;
    }

    /// <summary>
    /// dL/dw_i = scale (2 sum_j w_j |m_i - m_j| + 2/3 w_i (e_i - s_i)), ADDED into <paramref name="dLdWeights"/> (the
    /// buffer every term on the weights shares before <see cref="RenderWeights.Backward"/>).
    /// </summary>
    public static void Backward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<float> start,
        ReadOnlySpan<float> end,
        double scale,
        Span<float> dLdWeights)
    {
        Check(rayStart, rayCount, Math.Min(weights.Length, dLdWeights.Length), start.Length, end.Length);
        for (int r = 0; r < rayStart.Length; r++)
        {
            int first = rayStart[r], stop = first + rayCount[r];
            double totalW = 0, totalWm = 0, previous = double.NegativeInfinity;
            for (int s = first; s < stop; s++)
            {
                double m = Midpoint(start, end, s, ref previous);
                totalW += weights[s];
                totalWm += weights[s] * m;
            }

            // Running sums before sample s (w, wm) and after it (total - through s):
            // sum_j w_j |m_s - m_j| = (m_s W_(<s) - (wm)_(<s)) + ((wm)_(>s) - m_s W_(>s)).
            double wBefore = 0, wmBefore = 0;
            for (int s = first; s < stop; s++)
            {
                double m = 0.5 * ((double)start[s] + end[s]);
                double ws = weights[s];
                double wAfter = totalW - wBefore - ws, wmAfter = totalWm - wmBefore - (ws * m);
                double spread = (m * wBefore) - wmBefore + wmAfter - (m * wAfter);
                double g = (2 * spread) + (2.0 / 3.0 * ws * ((double)end[s] - start[s]));
                dLdWeights[s] = (float)(dLdWeights[s] + (scale * g));
                wBefore += ws;
                wmBefore += ws * m;
            }
        }
    }

    private static double Midpoint(ReadOnlySpan<float> start, ReadOnlySpan<float> end, int s, ref double previous)
    {
        double m = 0.5 * ((double)start[s] + end[s]);
        if (m < previous)
        {
            throw new ArgumentException($"sample {s}'s midpoint {m} lies before the previous sample's {previous}: samples must be sorted along each ray");
        }

        previous = m;
        return m;
    }

    private static void Check(ReadOnlySpan<int> rayStart, ReadOnlySpan<int> rayCount, int weights, int start, int end) =>
        PackedSamples.CheckRanges(rayStart, rayCount, Math.Min(weights, Math.Min(start, end)), "weights, start and end");
}
