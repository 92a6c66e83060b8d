namespace NerfSharp.Rendering;

/// <summary>
/// Weighted sums along rays over packed ragged samples (nerfacc's <c>accumulate_along_rays</c>) and the per-ray
/// quantities built from them: any per-sample values (colour, normals, semantics), opacity (sum of weights),
/// expected depth (sum of w t_mid) and background compositing. Each forward has its backward; every backward ADDS
/// its dL/dweights into the caller's buffer, so all the terms of a loss (and losses on the weights themselves)
/// meet in one dL/dweights that <see cref="RenderWeights.Backward"/> turns into dL/dsigma.
/// <para>Layout: ray r owns samples [rayStart[r], rayStart[r] + rayCount[r]); rays with no samples are allowed and
/// give zero sums. Per-sample values are feature-major: channel c of sample s at values[c * sampleStride + s];
/// per-ray outputs are ray-major: channel c of ray r at output[r * channels + c]. Sums run in double per ray.</para>
/// </summary>
public static class RayAccumulation
{
    /// <summary>output[r * channels + c] = sum_(s in r) w_s values[c * sampleStride + s].</summary>
    public static void Forward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<float> values,
        int channels,
        int sampleStride,
        Span<float> output)
    {
        int capacity = ValueCapacity(values.Length, channels, sampleStride, weights.Length);
        PackedSamples.CheckRanges(rayStart, rayCount, capacity, "weights and values");
        PackedSamples.CheckRequired(output.Length, rayStart.Length * channels, nameof(output));
        for (int r = 0; r < rayStart.Length; r++)
        {
            int start = rayStart[r], n = rayCount[r];
            ReadOnlySpan<float> w = weights.Slice(start, n);
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> v = values.Slice((c * sampleStride) + start, n);
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += (double)w[k] * v[k];
                }

                output[(r * channels) + c] = (float)sum;
            }
        }
    }

    /// <summary>
    /// dL/dw_s += sum_c dL/doutput[r, c] values[c, s] (ACCUMULATED into <paramref name="dLdWeights"/>), and, when
    /// <paramref name="dLdValues"/> is non-empty, dL/dvalues[c, s] = w_s dL/doutput[r, c] (OVERWRITTEN at owned samples,
    /// same layout as the values).
    /// </summary>
    public static void Backward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<float> values,
        int channels,
        int sampleStride,
        ReadOnlySpan<float> dLdOutput,
        Span<float> dLdWeights,
        Span<float> dLdValues)
    {
        int capacity = Math.Min(ValueCapacity(values.Length, channels, sampleStride, weights.Length), dLdWeights.Length);
        if (!dLdValues.IsEmpty)
        {
            capacity = Math.Min(capacity, ValueCapacity(dLdValues.Length, channels, sampleStride, int.MaxValue));
        }

        PackedSamples.CheckRanges(rayStart, rayCount, capacity, "weights, values, dLdWeights and dLdValues");
        PackedSamples.CheckRequired(dLdOutput.Length, rayStart.Length * channels, nameof(dLdOutput));
        for (int r = 0; r < rayStart.Length; r++)
        {
            int start = rayStart[r], n = rayCount[r];
            ReadOnlySpan<float> gOut = dLdOutput.Slice(r * channels, channels);
            for (int k = 0; k < n; k++)
            {
                double sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    sum += (double)gOut[c] * values[(c * sampleStride) + start + k];
                }

                dLdWeights[start + k] += (float)sum;
            }

            if (!dLdValues.IsEmpty)
            {
                ReadOnlySpan<float> w = weights.Slice(start, n);
                for (int c = 0; c < channels; c++)
                {
                    Span<float> d = dLdValues.Slice((c * sampleStride) + start, n);
                    float g = gOut[c];
                    for (int k = 0; k < n; k++)
                    {
                        d[k] = w[k] * g;
                    }
                }
            }
        }
    }

    /// <summary>Opacity: accumulation[r] = sum_(s in r) w_s (0 for a ray with no samples).</summary>
    public static void Accumulation(ReadOnlySpan<int> rayStart, ReadOnlySpan<int> rayCount, ReadOnlySpan<float> weights, Span<float> accumulation)
    {
        PackedSamples.CheckRanges(rayStart, rayCount, weights.Length, "weights");
        PackedSamples.CheckRequired(accumulation.Length, rayStart.Length, nameof(accumulation));
        for (int r = 0; r < rayStart.Length; r++)
        {
            double sum = 0;
            foreach (float w in weights.Slice(rayStart[r], rayCount[r]))
            {
                sum += w;
            }

            accumulation[r] = (float)sum;
        }
    }

    /// <summary>dL/dw_s += dL/daccumulation[r] for every sample s of ray r (ACCUMULATED).</summary>
    public static void AccumulationBackward(ReadOnlySpan<int> rayStart, ReadOnlySpan<int> rayCount, ReadOnlySpan<float> dLdAccumulation, Span<float> dLdWeights)
    {
        PackedSamples.CheckRanges(rayStart, rayCount, dLdWeights.Length, "dLdWeights");
        PackedSamples.CheckRequired(dLdAccumulation.Length, rayStart.Length, nameof(dLdAccumulation));
        for (int r = 0; r < rayStart.Length; r++)
        {
            float g = dLdAccumulation[r];
            foreach (ref float d in dLdWeights.Slice(rayStart[r], rayCount[r]))
            {
                d += g;
            }
        }
    }

    /// <summary>
    /// Expected depth along the ray, not normalised by opacity: depth[r] = sum_(s in r) w_s (tStart_s + tEnd_s) / 2,
    /// in the units of t (distance along the ray direction as given). 0 for a ray with no samples.
    /// </summary>
    public static void ExpectedDepth(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<float> tStart,
        ReadOnlySpan<float> tEnd,
        Span<float> depth)
    {
        PackedSamples.CheckRanges(rayStart, rayCount, Math.Min(weights.Length, Math.Min(tStart.Length, tEnd.Length)), "weights, tStart and tEnd");
        PackedSamples.CheckRequired(depth.Length, rayStart.Length, nameof(depth));
        for (int r = 0; r < rayStart.Length; r++)
        {
            int end = rayStart[r] + rayCount[r];
            double sum = 0;
            for (int s = rayStart[r]; s < end; s++)
            {
                sum += weights[s] * (0.5 * ((double)tStart[s] + tEnd[s]));
            }

            depth[r] = (float)sum;
        }
    }

    /// <summary>dL/dw_s += dL/ddepth[r] (tStart_s + tEnd_s) / 2 (ACCUMULATED).</summary>
    public static void ExpectedDepthBackward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> tStart,
        ReadOnlySpan<float> tEnd,
        ReadOnlySpan<float> dLdDepth,
        Span<float> dLdWeights)
    {
        PackedSamples.CheckRanges(rayStart, rayCount, Math.Min(dLdWeights.Length, Math.Min(tStart.Length, tEnd.Length)), "tStart, tEnd and dLdWeights");
        PackedSamples.CheckRequired(dLdDepth.Length, rayStart.Length, nameof(dLdDepth));
        for (int r = 0; r < rayStart.Length; r++)
        {
            int end = rayStart[r] + rayCount[r];
            double g = dLdDepth[r];
            for (int s = rayStart[r]; s < end; s++)
            {
                dLdWeights[s] += (float)(g * 0.5 * ((double)tStart[s] + tEnd[s]));
            }
        }
    }

    /// <summary>
    /// In place over the rays' rgb [rays][3]: rgb[r, c] += (1 - accumulation[r]) background[r, c], the light from
    /// behind the volume; background is per ray, [rays][3] (fill every ray alike for a constant colour).
    /// </summary>
    public static void CompositeBackground(ReadOnlySpan<float> accumulation, ReadOnlySpan<float> background, Span<float> rgb)
    {
        int rays = accumulation.Length;
        PackedSamples.CheckRequired(background.Length, 3 * rays, nameof(background));
        PackedSamples.CheckRequired(rgb.Length, 3 * rays, nameof(rgb));
        for (int r = 0; r < rays; r++)
        {
            double empty = 1.0 - accumulation[r];
            for (int c = 3 * r; c < (3 * r) + 3; c++)
            {
                rgb[c] = (float)(rgb[c] + (empty * background[c]));
            }
        }
    }

    /// <summary>
    /// Backward of <see cref="CompositeBackground"/> (dL/drgb before compositing equals dL/drgb after, so it is not
    /// written): dL/daccumulation[r] -= sum_c dL/drgb[r, c] background[r, c] (ACCUMULATED; pass it on with
    /// <see cref="AccumulationBackward"/>), and, when <paramref name="dLdBackground"/> is non-empty (a learned or
    /// optimised background), dL/dbackground[r, c] = (1 - accumulation[r]) dL/drgb[r, c] (OVERWRITTEN).
    /// </summary>
    public static void CompositeBackgroundBackward(
        ReadOnlySpan<float> accumulation,
        ReadOnlySpan<float> background,
        ReadOnlySpan<float> dLdRgb,
        Span<float> dLdAccumulation,
        Span<float> dLdBackground)
    {
        int rays = accumulation.Length;
        PackedSamples.CheckRequired(background.Length, 3 * rays, nameof(background));
        PackedSamples.CheckRequired(dLdRgb.Length, 3 * rays, nameof(dLdRgb));
        PackedSamples.CheckRequired(dLdAccumulation.Length, rays, nameof(dLdAccumulation));
        PackedSamples.CheckOptional(dLdBackground.Length, 3 * rays, nameof(dLdBackground));
        for (int r = 0; r < rays; r++)
        {
            double sum = 0;
            for (int c = 3 * r; c < (3 * r) + 3; c++)
            {
                sum += (double)dLdRgb[c] * background[c];
            }

            dLdAccumulation[r] = (float)(dLdAccumulation[r] - sum);
            if (!dLdBackground.IsEmpty)
            {
                double empty = 1.0 - accumulation[r];
                for (int c = 3 * r; c < (3 * r) + 3; c++)
                {
                    dLdBackground[c] = (float)(empty * dLdRgb[c]);
                }
            }
        }
    }

    /// <summary>Samples addressable in a feature-major [channels][sampleStride] buffer and a per-sample buffer.</summary>
    private static int ValueCapacity(int valuesLength, int channels, int sampleStride, int perSampleLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleStride);
        if (channels == 0)
        {
            return perSampleLength;
        }

        long last = (long)(channels - 1) * sampleStride;
        int inValues = (int)Math.Clamp(valuesLength - last, 0, sampleStride);
        return Math.Min(inValues, perSampleLength);
    }
}
