using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Kernels;

/// <summary>
/// Vector512 (AVX-512F) micro-kernels of <see cref="BlockedGemm"/>. A 16-feature block is one vector.
/// With 32 zmm registers the forward/input-gradient product keeps 12 points' accumulators and the
/// weight gradient keeps all 16 rows of an output block.
/// </summary>
internal static unsafe class BlockedGemmVector512
{
    private const int B = BlockedLayout.BlockWidth;
    private const int Points = 12;

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
            for (; p + Points <= count; p += Points)
            {
                CachePrefetch.BlockedPoints(y, ys, nBlocks, count, nb, p + (2 * Points), Points);
                Points12(x + (p * B), xs, kBlocks, wp, yb + (p * B), bias, e.Accumulate, e.Relu, mask == null ? null : mask + (p * B));
            }

            for (; p < count; p++)
            {
                Points1(x + (p * B), xs, kBlocks, wp, yb + (p * B), bias, e.Accumulate, e.Relu, mask == null ? null : mask + (p * B));
            }
        }
    }

    /// <summary>
    /// 12 points x 16 outputs: cI[lane] = init + sum_k X(k, p0 + i) * panel[k][lane]; per k one panel load and
    /// twelve broadcast-FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Points12(float* x, nint xs, int kBlocks, float* w, float* y, float* bias, bool accumulate, bool relu, float* mask)
    {
        Vector512<float> c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11;
        if (accumulate)
        {
            c0 = Vector512.Load(y); c1 = Vector512.Load(y + 16); c2 = Vector512.Load(y + 32); c3 = Vector512.Load(y + 48);
            c4 = Vector512.Load(y + 64); c5 = Vector512.Load(y + 80); c6 = Vector512.Load(y + 96); c7 = Vector512.Load(y + 112);
            c8 = Vector512.Load(y + 128); c9 = Vector512.Load(y + 144); c10 = Vector512.Load(y + 160); c11 = Vector512.Load(y + 176);
        }
        else
        {
            Vector512<float> b = bias == null ? Vector512<float>.Zero : Vector512.Load(bias);
            c0 = b; c1 = b; c2 = b; c3 = b; c4 = b; c5 = b; c6 = b; c7 = b; c8 = b; c9 = b; c10 = b; c11 = b;
        }

        for (int kb = 0; kb < kBlocks; kb++)
        {
            float* xp = x + (kb * xs);
            float* end = xp + B;
            for (; xp < end; xp++, w += B)
            {
                Vector512<float> wv = Vector512.Load(w);
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[0]), wv, c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[B]), wv, c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[2 * B]), wv, c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[3 * B]), wv, c3);
                c4 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[4 * B]), wv, c4);
                c5 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[5 * B]), wv, c5);
                c6 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[6 * B]), wv, c6);
                c7 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[7 * B]), wv, c7);
                c8 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[8 * B]), wv, c8);
                c9 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[9 * B]), wv, c9);
                c10 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[10 * B]), wv, c10);
                c11 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[11 * B]), wv, c11);
            }
        }

        Store(y, c0, relu, mask);
        Store(y + 16, c1, relu, mask == null ? null : mask + 16);
        Store(y + 32, c2, relu, mask == null ? null : mask + 32);
        Store(y + 48, c3, relu, mask == null ? null : mask + 48);
        Store(y + 64, c4, relu, mask == null ? null : mask + 64);
        Store(y + 80, c5, relu, mask == null ? null : mask + 80);
        Store(y + 96, c6, relu, mask == null ? null : mask + 96);
        Store(y + 112, c7, relu, mask == null ? null : mask + 112);
        Store(y + 128, c8, relu, mask == null ? null : mask + 128);
        Store(y + 144, c9, relu, mask == null ? null : mask + 144);
        Store(y + 160, c10, relu, mask == null ? null : mask + 160);
        Store(y + 176, c11, relu, mask == null ? null : mask + 176);
    }

    /// <summary>One point x 16 outputs (tail); four partial sums over k mod 4, added at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Points1(float* x, nint xs, int kBlocks, float* w, float* y, float* bias, bool accumulate, bool relu, float* mask)
    {
        Vector512<float> c0 = accumulate ? Vector512.Load(y) : bias == null ? Vector512<float>.Zero : Vector512.Load(bias);
        Vector512<float> c1 = default, c2 = default, c3 = default;
        for (int kb = 0; kb < kBlocks; kb++)
        {
            float* xp = x + (kb * xs);
            float* end = xp + B;
            for (; xp < end; xp += 4, w += 4 * B)
            {
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[0]), Vector512.Load(w), c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[1]), Vector512.Load(w + B), c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[2]), Vector512.Load(w + (2 * B)), c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Create(xp[3]), Vector512.Load(w + (3 * B)), c3);
            }
        }

        Store(y, (c0 + c1) + (c2 + c3), relu, mask);
    }

    /// <summary>Epilogue for one point's 16 outputs: y = relu?(c) * [mask &gt; 0].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, Vector512<float> c, bool relu, float* mask)
    {
        if (mask != null)
        {
            c &= Vector512.GreaterThan(Vector512.Load(mask), Vector512<float>.Zero);
        }

        if (relu)
        {
            c = Vector512.Max(c, Vector512<float>.Zero);
        }

        Vector512.Store(c, y);
    }

    /// <summary>
    /// Driver: output blocks in pairs; for each input block, the pair's dY blocks and the input block stay in L1 while
    /// all 16 rows of each output block are done at once; prefetch as in the Vector256 driver.
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
                    Rows16(dy + (nb * dys), xb, count, g + (nb * B * gs) + (kb * B), gs);
                }
            }
        }
    }

    /// <summary>
    /// 16 output rows x 16 inputs: cI[lane] = sum_p dY(n0 + i, p) * X(lane, p); per point one X load and
    /// sixteen broadcast-FMAs; the partial rows get cI added at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows16(float* dy, float* x, int count, float* g, nint gs)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        float* end = x + (count * B);
        for (; x < end; x += B, dy += B)
        {
            Vector512<float> xv = Vector512.Load(x);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[0]), xv, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[1]), xv, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[2]), xv, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[3]), xv, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[4]), xv, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[5]), xv, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[6]), xv, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[7]), xv, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[8]), xv, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[9]), xv, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[10]), xv, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[11]), xv, c11);
            c12 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[12]), xv, c12);
            c13 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[13]), xv, c13);
            c14 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[14]), xv, c14);
            c15 = Vector512.FusedMultiplyAdd(Vector512.Create(dy[15]), xv, c15);
        }

        Add(g, c0); Add(g + gs, c1); Add(g + (2 * gs), c2); Add(g + (3 * gs), c3);
        Add(g + (4 * gs), c4); Add(g + (5 * gs), c5); Add(g + (6 * gs), c6); Add(g + (7 * gs), c7);
        Add(g + (8 * gs), c8); Add(g + (9 * gs), c9); Add(g + (10 * gs), c10); Add(g + (11 * gs), c11);
        Add(g + (12 * gs), c12); Add(g + (13 * gs), c13); Add(g + (14 * gs), c14); Add(g + (15 * gs), c15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* g, Vector512<float> c) => Vector512.Store(Vector512.Load(g) + c, g);

    /// <summary>g[16 nb + lane] += sum_p dY(16 nb + lane, p); two points per step into separate sums, added at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BiasGradient(float* dy, nint dys, int nBlocks, int count, float* g)
    {
        for (int nb = 0; nb < nBlocks; nb++, g += B)
        {
            float* d = dy + (nb * dys);
            Vector512<float> s = default, t = default;
            int p = 0;
            for (; p + 2 <= count; p += 2, d += 2 * B)
            {
                s += Vector512.Load(d);
                t += Vector512.Load(d + B);
            }

            if (p < count)
            {
                s += Vector512.Load(d);
            }

            Add(g, s + t);
        }
    }
}
