namespace NerfSharp.Rendering;

/// <summary>
/// Compositing weights from densities over packed ragged samples, as nerfacc's <c>render_weight_from_density</c>:
/// delta_i = tEnd_i - tStart_i, alpha_i = 1 - exp(-sigma_i delta_i), T_i = prod_(j&lt;i) (1 - alpha_j) (no epsilon),
/// w_i = T_i alpha_i. Only the weights leave this step: colour, depth, opacity and any loss on the weights
/// (interlevel, distortion) are separate functions that each add their dL/dweights, and <see cref="Backward"/> turns
/// the sum into dL/dsigma.
/// <para>Layout: ray r owns samples [rayStart[r], rayStart[r] + rayCount[r]) in increasing t; rays with no samples are
/// allowed; samples no ray owns are neither read nor written. Inputs and outputs are float; each ray runs sequentially
/// in double (transmittance product and sums), so results do not depend on batching. Rays are independent: callers
/// may split the rays into slices and run the slices in parallel.</para>
/// </summary>
public static class RenderWeights
{
    /// <summary>
    /// Writes w_i at every owned sample and, when <paramref name="transmittance"/> is non-empty, T_i (the transmittance
    /// reaching the start of sample i, 1 at a ray's first sample).
    /// </summary>
    public static void Forward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> sigma,
        ReadOnlySpan<float> tStart,
        ReadOnlySpan<float> tEnd,
        Span<float> weights,
        Span<float> transmittance)
    {
        int capacity = Math.Min(Math.Min(sigma.Length, tStart.Length), Math.Min(tEnd.Length, weights.Length));
        if (!transmittance.IsEmpty)
        {
            capacity = Math.Min(capacity, transmittance.Length);
        }

        PackedSamples.CheckRanges(rayStart, rayCount, capacity, "sigma, tStart, tEnd, weights and transmittance");
        bool storeTransmittance = !transmittance.IsEmpty;
        for (int r = 0; r < rayStart.Length; r++)
        {
            int end = rayStart[r] + rayCount[r];
            double t = 1.0;
            for (int s = rayStart[r]; s < end; s++)
            {
                double e = Math.Exp(-(double)sigma[s] * (tEnd[s] - tStart[s]));
                if (storeTransmittance)
                {
                    transmittance[s] = (float)t;
                }

                weights[s] = (float)(t * (1.0 - e));
                t *= e;
            }
        }
    }

    /// <summary>
    /// dL/dsigma from dL/dw (g) through the suffix-sum form: with T_(i+1) = T_i exp(-sigma_i delta_i) the transmittance
    /// past sample i, dw_i/dsigma_i = delta_i T_(i+1) and dw_j/dsigma_i = -delta_i w_j for j &gt; i, so
    /// dL/dsigma_i = delta_i (T_(i+1) g_i - sum_(j&gt;i) w_j g_j). T is recomputed from sigma and delta (one exp per
    /// sample, in double, accurate however small T gets); the suffix sum uses the forward's <paramref name="weights"/>.
    /// OVERWRITES <paramref name="dLdSigma"/> at every owned sample.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> sigma,
        ReadOnlySpan<float> tStart,
        ReadOnlySpan<float> tEnd,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<float> dLdWeights,
        Span<float> dLdSigma)
    {
        int capacity = Math.Min(
            Math.Min(Math.Min(sigma.Length, tStart.Length), Math.Min(tEnd.Length, weights.Length)),
            Math.Min(dLdWeights.Length, dLdSigma.Length));
        PackedSamples.CheckRanges(rayStart, rayCount, capacity, "sigma, tStart, tEnd, weights, dLdWeights and dLdSigma");
        for (int r = 0; r < rayStart.Length; r++)
        {
            int start = rayStart[r];
            int end = start + rayCount[r];

            // Total sum_j w_j g_j first; the suffix after sample i is then total - (prefix through i), in double.
            double total = 0;
            for (int s = start; s < end; s++)
            {
                total += (double)weights[s] * dLdWeights[s];
            }

            double prefix = 0;
            double t = 1.0;
            for (int s = start; s < end; s++)
            {
                double delta = tEnd[s] - tStart[s];
                t *= Math.Exp(-(double)sigma[s] * delta);
                double g = dLdWeights[s];
                prefix += weights[s] * g;
                dLdSigma[s] = (float)(delta * ((t * g) - (total - prefix)));
            }
        }
    }
}
