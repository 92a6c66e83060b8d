namespace NerfSharp.Rendering;

/// <summary>
/// Double-precision scalar reference for <see cref="VolumeRenderer"/>, written as nerf-pytorch's
/// <c>raw2outputs</c> computes it (alpha = 1 - exp(-sigma delta), transmittance factor 1 - alpha + 1e-10),
/// with the backward pass written out from the product form. Used by golden and gradient tests; not fast.
/// Same layout and semantics as <see cref="VolumeRenderer"/> (disparity 0 where acc == 0).
/// </summary>
public static class VolumeRendererReference
{
    public static void Forward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<double> density,
        ReadOnlySpan<double> delta,
        ReadOnlySpan<double> t,
        ReadOnlySpan<double> color,
        int colorStride,
        (double R, double G, double B) background,
        Span<double> rgb,
        Span<double> depth,
        Span<double> accumulation,
        Span<double> disparity,
        Span<double> weights)
    {
        int rays = rayStart.Length;
        int capacity = PackedSamples.Capacity(color.Length, colorStride, density.Length, delta.Length, t.Length, weights.Length);
        PackedSamples.CheckRanges(rayStart, rayCount, capacity, "density, delta, t, color and weights");
        PackedSamples.CheckRequired(rgb.Length, rays * 3, nameof(rgb));
        PackedSamples.CheckRequired(depth.Length, rays, nameof(depth));
        PackedSamples.CheckRequired(accumulation.Length, rays, nameof(accumulation));
        PackedSamples.CheckRequired(disparity.Length, rays, nameof(disparity));
        for (int r = 0; r < rays; r++)
        {
            int start = rayStart[r], end = rayStart[r] + rayCount[r];
            double transmittance = 1, red = 0, green = 0, blue = 0, d = 0, acc = 0;
            for (int s = start; s < end; s++)
            {
                double alpha = 1 - Math.Exp(-density[s] * delta[s]);
                double w = alpha * transmittance;
                transmittance *= 1 - alpha + VolumeRenderer.TransmittanceEpsilon;
                weights[s] = w;
                red += w * color[s];
                green += w * color[colorStride + s];
                blue += w * color[(2 * colorStride) + s];
                d += w * t[s];
                acc += w;
            }

            rgb[3 * r] = red + ((1 - acc) * background.R);
            rgb[(3 * r) + 1] = green + ((1 - acc) * background.G);
            rgb[(3 * r) + 2] = blue + ((1 - acc) * background.B);
            depth[r] = d;
            accumulation[r] = acc;
            disparity[r] = acc > 0 ? 1 / Math.Max(1e-10, d / acc) : 0;
        }
    }

    /// <summary>
    /// dL/dsigma_k = delta_k exp(-sigma_k delta_k) (T_k g_k - S_(k+1) / (1 - alpha_k + 1e-10)) with
    /// g_i = dL/drgb . (c_i - background) + dL/ddepth t_i + dL/dacc and S_(k+1) = sum_(i&gt;k) w_i g_i;
    /// dL/dc_k = w_k dL/drgb. Empty dL/d spans mean zero. Overwrites dLdDensity and dLdColor at owned samples.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<double> density,
        ReadOnlySpan<double> delta,
        ReadOnlySpan<double> t,
        ReadOnlySpan<double> color,
        int colorStride,
        (double R, double G, double B) background,
        ReadOnlySpan<double> dLdRgb,
        ReadOnlySpan<double> dLdDepth,
        ReadOnlySpan<double> dLdAccumulation,
        Span<double> dLdDensity,
        Span<double> dLdColor)
    {
        int rays = rayStart.Length;
        int capacity = Math.Min(
            PackedSamples.Capacity(color.Length, colorStride, density.Length, delta.Length, t.Length, dLdDensity.Length),
            PackedSamples.Capacity(dLdColor.Length, colorStride));
        PackedSamples.CheckRanges(rayStart, rayCount, capacity, "density, delta, t, color, dLdDensity and dLdColor");
        PackedSamples.CheckOptional(dLdRgb.Length, rays * 3, nameof(dLdRgb));
        PackedSamples.CheckOptional(dLdDepth.Length, rays, nameof(dLdDepth));
        PackedSamples.CheckOptional(dLdAccumulation.Length, rays, nameof(dLdAccumulation));
        for (int r = 0; r < rays; r++)
        {
            int start = rayStart[r], n = rayCount[r];
            double gR = dLdRgb.IsEmpty ? 0 : dLdRgb[3 * r];
            double gG = dLdRgb.IsEmpty ? 0 : dLdRgb[(3 * r) + 1];
            double gB = dLdRgb.IsEmpty ? 0 : dLdRgb[(3 * r) + 2];
            double gDepth = dLdDepth.IsEmpty ? 0 : dLdDepth[r];
            double gAcc = dLdAccumulation.IsEmpty ? 0 : dLdAccumulation[r];

            var alpha = new double[n];
            var factor = new double[n];
            var transmittance = new double[n];
            var g = new double[n];
            double tr = 1;
            for (int k = 0; k < n; k++)
            {
                int s = start + k;
                alpha[k] = 1 - Math.Exp(-density[s] * delta[s]);
                factor[k] = 1 - alpha[k] + VolumeRenderer.TransmittanceEpsilon;
                transmittance[k] = tr;
                tr *= factor[k];
                g[k] = (gR * (color[s] - background.R)) + (gG * (color[colorStride + s] - background.G))
                    + (gB * (color[(2 * colorStride) + s] - background.B)) + (gDepth * t[s]) + gAcc;
            }

            double suffix = 0;
            for (int k = n - 1; k >= 0; k--)
            {
                int s = start + k;
                double w = alpha[k] * transmittance[k];
                double dLdAlpha = (transmittance[k] * g[k]) - (suffix / factor[k]);
                dLdDensity[s] = dLdAlpha * delta[s] * Math.Exp(-density[s] * delta[s]);
                suffix += w * g[k];
                dLdColor[s] = w * gR;
                dLdColor[colorStride + s] = w * gG;
                dLdColor[(2 * colorStride) + s] = w * gB;
            }
        }
    }
}
