namespace NerfSharp.Rendering;

/// <summary>
/// Volume rendering (alpha compositing) over packed ragged samples, with its backward pass, following
/// nerf-pytorch's <c>raw2outputs</c> after activation: alpha_i = 1 - exp(-sigma_i delta_i),
/// T_i = prod_(j&lt;i) (1 - alpha_j + 1e-10), w_i = alpha_i T_i; rgb = sum w c + (1 - acc) background,
/// depth = sum w t, acc = sum w, disparity = 1 / max(1e-10, depth / acc).
/// <para>Layout: ray r owns samples [rayStart[r], rayStart[r] + rayCount[r]) in increasing t (rays with no
/// samples are allowed); per-sample colour is structure-of-arrays, channel c of sample s at
/// color[c * colorStride + s]; per-ray rgb at rgb[r * 3 + c].</para>
/// <para>Inputs and outputs are float; each ray is composited sequentially in double (exp, transmittance and
/// sums), so the result does not depend on how rays are batched. Rays are independent: callers may split the
/// rays into slices (rayStart/rayCount and the per-ray buffers sliced alike, per-sample buffers whole) and
/// run the slices in parallel.</para>
/// </summary>
public static class VolumeRenderer
{
    /// <summary>The constant nerf-pytorch adds inside the transmittance product.</summary>
    public const double TransmittanceEpsilon = 1e-10;

    /// <summary>
    /// Composites every ray. Where acc == 0 (no samples, or zero density everywhere) depth / acc is undefined
    /// (NaN in nerf-pytorch); the disparity written there is 0, i.e. infinitely far.
    /// </summary>
    public static void Forward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> density,
        ReadOnlySpan<float> delta,
        ReadOnlySpan<float> t,
        ReadOnlySpan<float> color,
        int colorStride,
        (float R, float G, float B) background,
        Span<float> rgb,
        Span<float> depth,
        Span<float> accumulation,
        Span<float> disparity,
        Span<float> weights)
    {
        int rays = rayStart.Length;
        int capacity = PackedSamples.Capacity(color.Length, colorStride, density.Length, delta.Length, t.Length, weights.Length);
        PackedSamples.CheckRanges(rayStart, rayCount, capacity, "density, delta, t, color and weights");
        PackedSamples.CheckRequired(rgb.Length, rays * 3, nameof(rgb));
        PackedSamples.CheckRequired(depth.Length, rays, nameof(depth));
        PackedSamples.CheckRequired(accumulation.Length, rays, nameof(accumulation));
        PackedSamples.CheckRequired(disparity.Length, rays, nameof(disparity));

        if (capacity == 0)
        {
            color = [];
        }

        ReadOnlySpan<float> red = color.Slice(0, capacity);
        ReadOnlySpan<float> green = color.Slice(Math.Min(colorStride, color.Length), capacity);
        ReadOnlySpan<float> blue = color.Slice(Math.Min(2 * colorStride, color.Length), capacity);
        for (int r = 0; r < rays; r++)
        {
            int end = rayStart[r] + rayCount[r];
            double transmittance = 1.0, accR = 0, accG = 0, accB = 0, accDepth = 0, acc = 0;
            for (int s = rayStart[r]; s < end; s++)
            {
                double e = Math.Exp(-(double)density[s] * delta[s]);
                double w = (1.0 - e) * transmittance;
                transmittance *= e + TransmittanceEpsilon;
                weights[s] = (float)w;
                accR += w * red[s];
                accG += w * green[s];
                accB += w * blue[s];
                accDepth += w * t[s];
                acc += w;
            }

            double empty = 1.0 - acc;
            rgb[(3 * r) + 0] = (float)(accR + (empty * background.R));
            rgb[(3 * r) + 1] = (float)(accG + (empty * background.G));
            rgb[(3 * r) + 2] = (float)(accB + (empty * background.B));
            depth[r] = (float)accDepth;
            accumulation[r] = (float)acc;
            disparity[r] = acc > 0 ? (float)(1.0 / Math.Max(1e-10, accDepth / acc)) : 0f;
        }
    }

    /// <summary>
    /// Gradients of a loss L given dL/drgb ([ray * 3 + c]), dL/ddepth and dL/dacc per ray (any of them may be
    /// empty, meaning zero). With g_i = dL/drgb . (c_i - background) + dL/ddepth t_i + dL/dacc and
    /// S_i = sum_(j&gt;i) w_j g_j (the suffix sum), e_i = exp(-sigma_i delta_i):
    /// dL/dsigma_i = delta_i (e_i T_i g_i - e_i / (e_i + 1e-10) S_i), dL/dc_i = w_i dL/drgb.
    /// Recomputes the forward quantities; OVERWRITES dLdDensity (per sample) and dLdColor (SoA, colorStride) at
    /// every owned sample, using them as scratch on the way (they must not overlap the inputs).
    /// </summary>
    public static void Backward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> density,
        ReadOnlySpan<float> delta,
        ReadOnlySpan<float> t,
        ReadOnlySpan<float> color,
        int colorStride,
        (float R, float G, float B) background,
        ReadOnlySpan<float> dLdRgb,
        ReadOnlySpan<float> dLdDepth,
        ReadOnlySpan<float> dLdAccumulation,
        Span<float> dLdDensity,
        Span<float> dLdColor)
    {
        int rays = rayStart.Length;
        int capacity = Math.Min(
            PackedSamples.Capacity(color.Length, colorStride, density.Length, delta.Length, t.Length, dLdDensity.Length),
            PackedSamples.Capacity(dLdColor.Length, colorStride));
        PackedSamples.CheckRanges(rayStart, rayCount, capacity, "density, delta, t, color, dLdDensity and dLdColor");
        PackedSamples.CheckOptional(dLdRgb.Length, rays * 3, nameof(dLdRgb));
        PackedSamples.CheckOptional(dLdDepth.Length, rays, nameof(dLdDepth));
        PackedSamples.CheckOptional(dLdAccumulation.Length, rays, nameof(dLdAccumulation));

        if (capacity == 0)
        {
            color = [];
            dLdColor = [];
        }

        ReadOnlySpan<float> red = color.Slice(0, capacity);
        ReadOnlySpan<float> green = color.Slice(Math.Min(colorStride, color.Length), capacity);
        ReadOnlySpan<float> blue = color.Slice(Math.Min(2 * colorStride, color.Length), capacity);
        Span<float> dRed = dLdColor.Slice(0, capacity);
        Span<float> dGreen = dLdColor.Slice(Math.Min(colorStride, dLdColor.Length), capacity);
        Span<float> dBlue = dLdColor.Slice(Math.Min(2 * colorStride, dLdColor.Length), capacity);
        for (int r = 0; r < rays; r++)
        {
            int start = rayStart[r];
            int end = start + rayCount[r];
            float gR = 0, gG = 0, gB = 0;
            if (!dLdRgb.IsEmpty)
            {
                gR = dLdRgb[3 * r];
                gG = dLdRgb[(3 * r) + 1];
                gB = dLdRgb[(3 * r) + 2];
            }

            double gDepth = dLdDepth.IsEmpty ? 0 : dLdDepth[r];
            double gConstant = (dLdAccumulation.IsEmpty ? 0 : dLdAccumulation[r])
                - ((double)gR * background.R) - ((double)gG * background.G) - ((double)gB * background.B);

            // Pass 1, front to back: T_i into dLdDensity[s], alpha_i = 1 - e_i into dRed[s], e_i into dGreen[s]
            // (scratch, overwritten in pass 2). Both alpha and e are kept so each stays accurate in float
            // relative to its own size (1 - e in float would lose a thin sample's alpha, e = 1 - alpha an opaque one's e).
            double transmittance = 1.0;
            for (int s = start; s < end; s++)
            {
                double x = (double)density[s] * delta[s];
                double e = Math.Exp(-x);
                dLdDensity[s] = (float)transmittance;
                dRed[s] = (float)(1.0 - e);
                dGreen[s] = (float)e;
                transmittance *= e + TransmittanceEpsilon;
            }

            // Pass 2, back to front, carrying the suffix sum S = sum_(j>i) w_j g_j in double.
            double suffix = 0;
            for (int s = end - 1; s >= start; s--)
            {
                double ti = dLdDensity[s];
                double alpha = dRed[s];
                double e = dGreen[s];
                double w = alpha * ti;
                double g = ((double)gR * red[s]) + ((double)gG * green[s]) + ((double)gB * blue[s]) + (gDepth * t[s]) + gConstant;
                dLdDensity[s] = (float)(delta[s] * ((e * ti * g) - (e / (e + TransmittanceEpsilon) * suffix)));
                suffix += w * g;
                dRed[s] = (float)(w * gR);
                dGreen[s] = (float)(w * gG);
                dBlue[s] = (float)(w * gB);
            }
        }
    }
}
