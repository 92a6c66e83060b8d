using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NerfSharp.Kernels;

/// <summary>
/// The copies behind <see cref="BlockedLayout.FromFeatureMajor"/> and <see cref="BlockedLayout.ToFeatureMajor"/>:
/// 8 features x 8 points at a time through an in-register 8x8 transpose (AVX: unpack, shuffle, 128-bit permute;
/// 24 shuffles per 64 floats instead of 64 scalar loads and stores), the rest (point tails, feature groups that do
/// not fill 8 lanes of one block) one float at a time. Pure copies: the result is the same on every path.
/// </summary>
internal static unsafe class LayoutTranspose
{
    private const int B = BlockedLayout.BlockWidth;

    /// <summary>Whether the 8x8 transpose path runs (AVX); <paramref name="allowSimd"/> false forces the scalar loops (tests).</summary>
    public static bool UseSimd(bool allowSimd) => allowSimd && Avx.IsSupported;

    /// <summary>Lanes [lane0, lane0 + lanes) of the blocked block at <paramref name="block"/> := source rows (feature-major, row stride rs).</summary>
    public static void RowsToBlock(float* source, nint rs, int lanes, int count, float* block, int lane0, bool simd)
    {
        int l = 0;
        if (simd)
        {
            for (; l + 8 <= lanes; l += 8)
            {
                int p = 0;
                for (; p + 8 <= count; p += 8)
                {
                    float* s = source + (l * rs) + p;
                    Transpose8(
                        Avx.LoadVector256(s), Avx.LoadVector256(s + rs), Avx.LoadVector256(s + (2 * rs)), Avx.LoadVector256(s + (3 * rs)),
                        Avx.LoadVector256(s + (4 * rs)), Avx.LoadVector256(s + (5 * rs)), Avx.LoadVector256(s + (6 * rs)), Avx.LoadVector256(s + (7 * rs)),
                        block + (p * B) + lane0 + l,
                        B,
                        accumulate: false);
                }

                for (; p < count; p++)
                {
                    for (int j = 0; j < 8; j++)
                    {
                        block[(p * B) + lane0 + l + j] = source[((l + j) * rs) + p];
                    }
                }
            }
        }

        for (; l < lanes; l++)
        {
            float* s = source + (l * rs);
            float* d = block + lane0 + l;
            for (int p = 0; p < count; p++)
            {
                d[p * B] = s[p];
            }
        }
    }

    /// <summary>Destination rows (feature-major, row stride rs) := (or +=) lanes [lane0, lane0 + rows) of the block at <paramref name="block"/>.</summary>
    public static void BlockToRows(float* block, int lane0, int rows, int count, float* destination, nint rs, bool accumulate, bool simd)
    {
        int r = 0;
        if (simd)
        {
            for (; r + 8 <= rows; r += 8)
            {
                int p = 0;
                for (; p + 8 <= count; p += 8)
                {
                    float* s = block + (p * B) + lane0 + r;
                    Transpose8(
                        Avx.LoadVector256(s), Avx.LoadVector256(s + B), Avx.LoadVector256(s + (2 * B)), Avx.LoadVector256(s + (3 * B)),
                        Avx.LoadVector256(s + (4 * B)), Avx.LoadVector256(s + (5 * B)), Avx.LoadVector256(s + (6 * B)), Avx.LoadVector256(s + (7 * B)),
                        destination + (r * rs) + p,
                        rs,
                        accumulate);
                }

                for (; p < count; p++)
                {
                    for (int j = 0; j < 8; j++)
                    {
                        float v = block[(p * B) + lane0 + r + j];
                        float* d = destination + ((r + j) * rs) + p;
                        *d = accumulate ? *d + v : v;
                    }
                }
            }
        }

        for (; r < rows; r++)
        {
            float* s = block + lane0 + r;
            float* d = destination + (r * rs);
            if (accumulate)
            {
                for (int p = 0; p < count; p++)
                {
                    d[p] += s[p * B];
                }
            }
            else
            {
                for (int p = 0; p < count; p++)
                {
                    d[p] = s[p * B];
                }
            }
        }
    }

    /// <summary>
    /// Transposes the 8x8 matrix whose rows are r0..r7 and stores row i of the transpose (column i: r0[i], .., r7[i])
    /// at <c>d + i * ds</c> (or adds it there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        float* d,
        nint ds,
        bool accumulate)
    {
        // t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]; t1 the same for elements 2, 3 | 6, 7.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // s0 = r0..r3 element 0 | element 4; s1 elements 1 | 5; s2 2 | 6; s3 3 | 7 (s4..s7: rows r4..r7).
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        // Column i = low halves (i < 4) or high halves (i >= 4) of s(i mod 4) and s(i mod 4 + 4).
        Store(d, Avx.Permute2x128(s0, s4, 0x20), accumulate);
        Store(d + ds, Avx.Permute2x128(s1, s5, 0x20), accumulate);
        Store(d + (2 * ds), Avx.Permute2x128(s2, s6, 0x20), accumulate);
        Store(d + (3 * ds), Avx.Permute2x128(s3, s7, 0x20), accumulate);
        Store(d + (4 * ds), Avx.Permute2x128(s0, s4, 0x31), accumulate);
        Store(d + (5 * ds), Avx.Permute2x128(s1, s5, 0x31), accumulate);
        Store(d + (6 * ds), Avx.Permute2x128(s2, s6, 0x31), accumulate);
        Store(d + (7 * ds), Avx.Permute2x128(s3, s7, 0x31), accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* d, Vector256<float> v, bool accumulate)
    {
        if (accumulate)
        {
            v = Avx.Add(v, Avx.LoadVector256(d));
        }

        Avx.Store(d, v);
    }
}
