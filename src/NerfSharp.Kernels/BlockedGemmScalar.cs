namespace NerfSharp.Kernels;

/// <summary>Scalar fallback of <see cref="BlockedGemm"/> (no SIMD): the same loops, one lane at a time.</summary>
internal static unsafe class BlockedGemmScalar
{
    private const int B = BlockedLayout.BlockWidth;

    /// <summary>y(lane, p) = epilogue(init + sum_k X(k, p) * panel[k][lane]) in k order.</summary>
    public static void Multiply(float* x, nint xs, int kBlocks, float* w, float* y, nint ys, int nBlocks, int count, in Epilogue e)
    {
        nint panel = kBlocks * B * B;
        for (int nb = 0; nb < nBlocks; nb++)
        {
            float* wp = w + (nb * panel);
            for (int p = 0; p < count; p++)
            {
                float* yp = y + (nb * ys) + (p * B);
                for (int lane = 0; lane < B; lane++)
                {
                    float c = e.Accumulate ? yp[lane] : e.Bias == null ? 0f : e.Bias[(nb * B) + lane];
                    for (int kb = 0; kb < kBlocks; kb++)
                    {
                        float* xp = x + (kb * xs) + (p * B);
                        float* wk = wp + (kb * B * B) + lane;
                        for (int kk = 0; kk < B; kk++)
                        {
                            c += xp[kk] * wk[kk * B];
                        }
                    }

                    if (e.Mask != null && !(e.Mask[(nb * e.MaskStride) + (p * B) + lane] > 0f))
                    {
                        c = 0f;
                    }

                    if (e.Relu)
                    {
                        c = MathF.Max(c, 0f);
                    }

                    yp[lane] = c;
                }
            }
        }
    }

    /// <summary>g[n][k] += sum_p dY(n, p) X(k, p), in point order.</summary>
    public static void WeightGradient(float* dy, nint dys, int nBlocks, float* x, nint xs, int kBlocks, int count, float* g, nint gs)
    {
        for (int n = 0; n < nBlocks * B; n++)
        {
            float* d = dy + ((n / B) * dys) + (n % B);
            for (int k = 0; k < kBlocks * B; k++)
            {
                float* xk = x + ((k / B) * xs) + (k % B);
                float s = 0f;
                for (int p = 0; p < count; p++)
                {
                    s += d[p * B] * xk[p * B];
                }

                g[(n * gs) + k] += s;
            }
        }
    }

    /// <summary>g[n] += sum_p dY(n, p), in point order.</summary>
    public static void BiasGradient(float* dy, nint dys, int nBlocks, int count, float* g)
    {
        for (int n = 0; n < nBlocks * B; n++)
        {
            float* d = dy + ((n / B) * dys) + (n % B);
            float s = 0f;
            for (int p = 0; p < count; p++)
            {
                s += d[p * B];
            }

            g[n] += s;
        }
    }
}
