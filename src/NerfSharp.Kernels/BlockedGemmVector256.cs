using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Kernels;

/// <summary>
/// Vector256 (AVX2 + FMA) micro-kernels of <see cref="BlockedGemm"/>. A 16-feature block is two vectors
/// (lanes 0..7 and 8..15). Register budget: 16 ymm registers, so the products keep 12 accumulators
/// (6 rows x 2 vectors), 2 streamed vectors and 1 broadcast live. Tails: feature counts are padded to whole
/// blocks (zero lanes), so only point counts have tails: the last count % 6 points of a product go through a
/// one-point kernel; the weight gradient has no point tail (its point loop is the reduction).
/// Measured on Zen 3 with data in cache: 94-97% of the 2 x 8-lane FMA peak (bench: <c>probe</c>).
/// </summary>
internal static unsafe class BlockedGemmVector256
{
    private const int B = BlockedLayout.BlockWidth;
    private const int Rows = 6;

    /// <summary>
    /// Driver: for each output block, the panel ([k][16] weights, 64 bytes per k) stays in L1 while groups of
    /// 6 points (their X lines from L2) stream past it; the last count % 6 points go one by one.
    /// </summary>
    public static void Multiply(float* x, nint xs, int kBlocks, float* w, float* y, nint ys, int nBlocks, int count, in Epilogue e)
    {
        nint panel = kBlocks * B * B;
        for (int nb = 0; nb < nBlocks; nb++)
        {
            float* wp = w + (nb * panel);
            float* yb = y + (nb * ys);
            float* bias = e.Bias == null ? null : e.Bias + (nb * B);
            float* mask = e.Mask == null ? null : e.Mask + (nb * e.MaskStride);
            int p = 0;
            for (; p + Rows <= count; p += Rows)
            {
                CachePrefetch.BlockedPoints(y, ys, nBlocks, count, nb, p + (2 * Rows), Rows);

                Points6(x + (p * B), xs, kBlocks, wp, yb + (p * B), bias, e.Accumulate, e.Relu, mask == null ? null : mask + (p * B));
            }

            for (; p < count; p++)
            {
                Points1(x + (p * B), xs, kBlocks, wp, yb + (p * B), bias, e.Accumulate, e.Relu, mask == null ? null : mask + (p * B));
            }
        }
    }

    /// <summary>
    /// 6 points x 16 outputs. Accumulator cIJ holds, for point i, outputs 8J..8J+7 of the block:
    /// cIJ[lane] = init + sum_k X(k, p0 + i) * panel[k][8J + lane]. Per k: two panel loads, six broadcasts, twelve FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Points6(float* x, nint xs, int kBlocks, float* w, float* y, float* bias, bool accumulate, bool relu, float* mask)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = Vector256.Load(y); c01 = Vector256.Load(y + 8);
            c10 = Vector256.Load(y + 16); c11 = Vector256.Load(y + 24);
            c20 = Vector256.Load(y + 32); c21 = Vector256.Load(y + 40);
            c30 = Vector256.Load(y + 48); c31 = Vector256.Load(y + 56);
            c40 = Vector256.Load(y + 64); c41 = Vector256.Load(y + 72);
            c50 = Vector256.Load(y + 80); c51 = Vector256.Load(y + 88);
        }
        else
        {
            Vector256<float> b0 = bias == null ? Vector256<float>.Zero : Vector256.Load(bias);
            Vector256<float> b1 = bias == null ? Vector256<float>.Zero : Vector256.Load(bias + 8);
            c00 = b0; c01 = b1; c10 = b0; c11 = b1; c20 = b0; c21 = b1;
            c30 = b0; c31 = b1; c40 = b0; c41 = b1; c50 = b0; c51 = b1;
        }

        for (int kb = 0; kb < kBlocks; kb++)
        {
            float* xp = x + (kb * xs);
            float* end = xp + B;
            for (; xp < end; xp += 2, w += 2 * B)
            {
                Vector256<float> w0 = Vector256.Load(w);
                Vector256<float> w1 = Vector256.Load(w + 8);
                Vector256<float> a = Vector256.Create(xp[0]);
                c00 = Vector256.FusedMultiplyAdd(a, w0, c00); c01 = Vector256.FusedMultiplyAdd(a, w1, c01);
                a = Vector256.Create(xp[B]);
                c10 = Vector256.FusedMultiplyAdd(a, w0, c10); c11 = Vector256.FusedMultiplyAdd(a, w1, c11);
                a = Vector256.Create(xp[2 * B]);
                c20 = Vector256.FusedMultiplyAdd(a, w0, c20); c21 = Vector256.FusedMultiplyAdd(a, w1, c21);
                a = Vector256.Create(xp[3 * B]);
                c30 = Vector256.FusedMultiplyAdd(a, w0, c30); c31 = Vector256.FusedMultiplyAdd(a, w1, c31);
                a = Vector256.Create(xp[4 * B]);
                c40 = Vector256.FusedMultiplyAdd(a, w0, c40); c41 = Vector256.FusedMultiplyAdd(a, w1, c41);
                a = Vector256.Create(xp[5 * B]);
                c50 = Vector256.FusedMultiplyAdd(a, w0, c50); c51 = Vector256.FusedMultiplyAdd(a, w1, c51);

                w0 = Vector256.Load(w + B);
                w1 = Vector256.Load(w + B + 8);
                a = Vector256.Create(xp[1]);
                c00 = Vector256.FusedMultiplyAdd(a, w0, c00); c01 = Vector256.FusedMultiplyAdd(a, w1, c01);
                a = Vector256.Create(xp[B + 1]);
                c10 = Vector256.FusedMultiplyAdd(a, w0, c10); c11 = Vector256.FusedMultiplyAdd(a, w1, c11);
                a = Vector256.Create(xp[(2 * B) + 1]);
                c20 = Vector256.FusedMultiplyAdd(a, w0, c20); c21 = Vector256.FusedMultiplyAdd(a, w1, c21);
                a = Vector256.Create(xp[(3 * B) + 1]);
                c30 = Vector256.FusedMultiplyAdd(a, w0, c30); c31 = Vector256.FusedMultiplyAdd(a, w1, c31);
                a = Vector256.Create(xp[(4 * B) + 1]);
                c40 = Vector256.FusedMultiplyAdd(a, w0, c40); c41 = Vector256.FusedMultiplyAdd(a, w1, c41);
                a = Vector256.Create(xp[(5 * B) + 1]);
                c50 = Vector256.FusedMultiplyAdd(a, w0, c50); c51 = Vector256.FusedMultiplyAdd(a, w1, c51);
            }
        }

        Store2(y, c00, c01, relu, mask);
        Store2(y + 16, c10, c11, relu, mask == null ? null : mask + 16);
        Store2(y + 32, c20, c21, relu, mask == null ? null : mask + 32);
        Store2(y + 48, c30, c31, relu, mask == null ? null : mask + 48);
        Store2(y + 64, c40, c41, relu, mask == null ? null : mask + 64);
        Store2(y + 80, c50, c51, relu, mask == null ? null : mask + 80);
    }

    /// <summary>One point x 16 outputs (the tail of a point range); even and odd k accumulate separately to halve the FMA chain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Points1(float* x, nint xs, int kBlocks, float* w, float* y, float* bias, bool accumulate, bool relu, float* mask)
    {
        Vector256<float> c0, c1;
        if (accumulate)
        {
            c0 = Vector256.Load(y);
            c1 = Vector256.Load(y + 8);
        }
        else
        {
            c0 = bias == null ? Vector256<float>.Zero : Vector256.Load(bias);
            c1 = bias == null ? Vector256<float>.Zero : Vector256.Load(bias + 8);
        }

        Vector256<float> d0 = Vector256<float>.Zero, d1 = Vector256<float>.Zero;
        for (int kb = 0; kb < kBlocks; kb++)
        {
            float* xp = x + (kb * xs);
            float* end = xp + B;
            for (; xp < end; xp += 2, w += 2 * B)
            {
                Vector256<float> a = Vector256.Create(xp[0]);
                c0 = Vector256.FusedMultiplyAdd(a, Vector256.Load(w), c0);
                c1 = Vector256.FusedMultiplyAdd(a, Vector256.Load(w + 8), c1);
                a = Vector256.Create(xp[1]);
                d0 = Vector256.FusedMultiplyAdd(a, Vector256.Load(w + B), d0);
                d1 = Vector256.FusedMultiplyAdd(a, Vector256.Load(w + B + 8), d1);
            }
        }

        Store2(y, c0 + d0, c1 + d1, relu, mask);
    }

    /// <summary>Epilogue for one point's 16 outputs: y = relu?(c) * [mask &gt; 0].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2(float* y, Vector256<float> c0, Vector256<float> c1, bool relu, float* mask)
    {
        if (mask != null)
        {
            c0 &= Vector256.GreaterThan(Vector256.Load(mask), Vector256<float>.Zero);
            c1 &= Vector256.GreaterThan(Vector256.Load(mask + 8), Vector256<float>.Zero);
        }

        if (relu)
        {
            c0 = Vector256.Max(c0, Vector256<float>.Zero);
            c1 = Vector256.Max(c1, Vector256<float>.Zero);
        }

        Vector256.Store(c0, y);
        Vector256.Store(c1, y + 8);
    }

    /// <summary>
    /// Driver. Output blocks are taken in pairs: for each input block, the pair's dY blocks (2 x count lines) and the
    /// input block (count lines) stay in L1 while each output block's rows are done in groups of 6, 6, 4.
    /// Software prefetch one step ahead: the partial rows the next step adds into (the partials of all layers do not
    /// fit in L2) and, during the first pair, the next input block (saved activations, cold in backward).
    /// </summary>
    public static void WeightGradient(float* dy, nint dys, int nBlocks, float* x, nint xs, int kBlocks, int count, float* g, nint gs)
    {
        CachePrefetch.Rows(g, gs, 0, Math.Min(nBlocks, 2) * B, 0, 1);
        for (int nb0 = 0; nb0 < nBlocks; nb0 += 2)
        {
            int nb1 = Math.Min(nBlocks, nb0 + 2);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                if (kb + 1 < kBlocks)
                {
                    CachePrefetch.Rows(g, gs, nb0 * B, nb1 * B, kb + 1, kb + 2);
                    if (nb0 == 0)
                    {
                        CachePrefetch.Rows(x + ((kb + 1) * xs), B, 0, count, 0, 1);
                    }
                }
                else
                {
                    CachePrefetch.Rows(g, gs, nb1 * B, Math.Min(nBlocks, nb1 + 2) * B, 0, 1);
                }

                float* xb = x + (kb * xs);
                for (int nb = nb0; nb < nb1; nb++)
                {
                    float* db = dy + (nb * dys);
                    float* gb = g + (nb * B * gs) + (kb * B);
                    Rows6(db, xb, count, gb, gs);
                    Rows6(db + 6, xb, count, gb + (6 * gs), gs);
                    Rows4(db + 12, xb, count, gb + (12 * gs), gs);
                }
            }
        }
    }

    /// <summary>
    /// 6 output rows x 16 inputs. cIJ[lane] = sum_p dY(n0 + i, p) * X(8J + lane, p): per point two X loads
    /// (the point's 16 inputs), six dY broadcasts, twelve FMAs; the partial rows get cIJ added at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows6(float* dy, float* x, int count, float* g, nint gs)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        float* end = x + (count * B);
        for (; x < end; x += B, dy += B)
        {
            Vector256<float> x0 = Vector256.Load(x);
            Vector256<float> x1 = Vector256.Load(x + 8);
            Vector256<float> d = Vector256.Create(dy[0]);
            c00 = Vector256.FusedMultiplyAdd(d, x0, c00); c01 = Vector256.FusedMultiplyAdd(d, x1, c01);
            d = Vector256.Create(dy[1]);
            c10 = Vector256.FusedMultiplyAdd(d, x0, c10); c11 = Vector256.FusedMultiplyAdd(d, x1, c11);
            d = Vector256.Create(dy[2]);
            c20 = Vector256.FusedMultiplyAdd(d, x0, c20); c21 = Vector256.FusedMultiplyAdd(d, x1, c21);
            d = Vector256.Create(dy[3]);
            c30 = Vector256.FusedMultiplyAdd(d, x0, c30); c31 = Vector256.FusedMultiplyAdd(d, x1, c31);
            d = Vector256.Create(dy[4]);
            c40 = Vector256.FusedMultiplyAdd(d, x0, c40); c41 = Vector256.FusedMultiplyAdd(d, x1, c41);
            d = Vector256.Create(dy[5]);
            c50 = Vector256.FusedMultiplyAdd(d, x0, c50); c51 = Vector256.FusedMultiplyAdd(d, x1, c51);
        }

        Add2(g, c00, c01);
        Add2(g + gs, c10, c11);
        Add2(g + (2 * gs), c20, c21);
        Add2(g + (3 * gs), c30, c31);
        Add2(g + (4 * gs), c40, c41);
        Add2(g + (5 * gs), c50, c51);
    }

    /// <summary>4 output rows x 16 inputs (the rest of a block after two groups of 6); same formula as <see cref="Rows6"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4(float* dy, float* x, int count, float* g, nint gs)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        float* end = x + (count * B);
        for (; x < end; x += B, dy += B)
        {
            Vector256<float> x0 = Vector256.Load(x);
            Vector256<float> x1 = Vector256.Load(x + 8);
            Vector256<float> d = Vector256.Create(dy[0]);
            c00 = Vector256.FusedMultiplyAdd(d, x0, c00); c01 = Vector256.FusedMultiplyAdd(d, x1, c01);
            d = Vector256.Create(dy[1]);
            c10 = Vector256.FusedMultiplyAdd(d, x0, c10); c11 = Vector256.FusedMultiplyAdd(d, x1, c11);
            d = Vector256.Create(dy[2]);
            c20 = Vector256.FusedMultiplyAdd(d, x0, c20); c21 = Vector256.FusedMultiplyAdd(d, x1, c21);
            d = Vector256.Create(dy[3]);
            c30 = Vector256.FusedMultiplyAdd(d, x0, c30); c31 = Vector256.FusedMultiplyAdd(d, x1, c31);
        }

        Add2(g, c00, c01);
        Add2(g + gs, c10, c11);
        Add2(g + (2 * gs), c20, c21);
        Add2(g + (3 * gs), c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add2(float* g, Vector256<float> c0, Vector256<float> c1)
    {
        Vector256.Store(Vector256.Load(g) + c0, g);
        Vector256.Store(Vector256.Load(g + 8) + c1, g + 8);
    }

    /// <summary>g[16 nb + lane] += sum_p dY(16 nb + lane, p); two points per step into separate sums, added at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BiasGradient(float* dy, nint dys, int nBlocks, int count, float* g)
    {
        for (int nb = 0; nb < nBlocks; nb++, g += B)
        {
            float* d = dy + (nb * dys);
            Vector256<float> s0 = default, s1 = default, t0 = default, t1 = default;
            int p = 0;
            for (; p + 2 <= count; p += 2, d += 2 * B)
            {
                s0 += Vector256.Load(d);
                s1 += Vector256.Load(d + 8);
                t0 += Vector256.Load(d + B);
                t1 += Vector256.Load(d + B + 8);
            }

            if (p < count)
            {
                s0 += Vector256.Load(d);
                s1 += Vector256.Load(d + 8);
            }

            Add2(g, s0 + t0, s1 + t1);
        }
    }
}
