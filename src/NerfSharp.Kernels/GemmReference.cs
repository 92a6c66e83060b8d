namespace NerfSharp.Kernels;

/// <summary>
/// Scalar reference of a linear layer's products in the public feature-major layout
/// (feature f of point p at <c>[f * count + p]</c>, W in PyTorch layout [out, in]), accumulated in double.
/// Slow and obviously correct: the oracle the SIMD kernels are tested against.
/// </summary>
public static class GemmReference
{
    /// <summary>y[n, p] = relu?(b[n] + sum_k W[n, k] x[k, p]); <paramref name="bias"/> may be empty.</summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, int inFeatures, int outFeatures, int count, Span<float> y, bool relu)
    {
        for (int n = 0; n < outFeatures; n++)
        {
            for (int p = 0; p < count; p++)
            {
                double s = bias.IsEmpty ? 0.0 : bias[n];
                for (int k = 0; k < inFeatures; k++)
                {
                    s += (double)weight[(n * inFeatures) + k] * x[(k * count) + p];
                }

                y[(n * count) + p] = (float)(relu ? Math.Max(s, 0.0) : s);
            }
        }
    }

    /// <summary>dx[k, p] = sum_n W[n, k] dy[n, p] (overwrites).</summary>
    public static void InputGradient(ReadOnlySpan<float> weight, ReadOnlySpan<float> dy, int inFeatures, int outFeatures, int count, Span<float> dx)
    {
        for (int k = 0; k < inFeatures; k++)
        {
            for (int p = 0; p < count; p++)
            {
                double s = 0.0;
                for (int n = 0; n < outFeatures; n++)
                {
                    s += (double)weight[(n * inFeatures) + k] * dy[(n * count) + p];
                }

                dx[(k * count) + p] = (float)s;
            }
        }
    }

    /// <summary>dW[n, k] += sum_p dy[n, p] x[k, p].</summary>
    public static void WeightGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int inFeatures, int outFeatures, int count, Span<float> weightGradient)
    {
        for (int n = 0; n < outFeatures; n++)
        {
            for (int k = 0; k < inFeatures; k++)
            {
                double s = 0.0;
                for (int p = 0; p < count; p++)
                {
                    s += (double)dy[(n * count) + p] * x[(k * count) + p];
                }

                weightGradient[(n * inFeatures) + k] += (float)s;
            }
        }
    }

    /// <summary>db[n] += sum_p dy[n, p].</summary>
    public static void BiasGradient(ReadOnlySpan<float> dy, int outFeatures, int count, Span<float> biasGradient)
    {
        for (int n = 0; n < outFeatures; n++)
        {
            double s = 0.0;
            for (int p = 0; p < count; p++)
            {
                s += dy[(n * count) + p];
            }

            biasGradient[n] += (float)s;
        }
    }
}
