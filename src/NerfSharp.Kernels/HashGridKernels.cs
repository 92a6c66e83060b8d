using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Kernels;

/// <summary>
/// The per-level hot loops of the multiresolution hash encoding. A level is processed for a range of points in blocks
/// of <see cref="Block"/> points, in two phases:
/// <list type="number">
/// <item>corners (SIMD over points): clamp x to [0,1], p = fma(scale, x, 0.5), cell = floor(p), frac = p - cell;
/// the 8 corner table indices and trilinear weights, written to block scratch as idx[c][j], w[c][j] with
/// corner c = bx + 2 by + 4 bz (b = 0: the cell's lower corner along that axis, weight 1 - frac; b = 1: weight frac);</item>
/// <item>gather (forward: out_f = sum_c w_c table[idx_c][f], corners in order 0..7) or scatter (backward:
/// grad[idx_c][f] += w_c dL/dout_f, points in order, corners in order 0..7; optionally dL/dx).</item>
/// </list>
/// The scalar, Vector256 and Vector512 corner paths compute bit-identical indices and weights (same IEEE operations
/// in the same order, one fused multiply-add for p), and phase 2 is shared, so every path gives bit-identical results.
/// <para>Backward recomputes phase 1 instead of reading indices and weights saved by forward: phase 1 costs about
/// 0.2 ms per level per 2^18 points (measured), while saving them would write and read back 64 bytes per point and
/// level (268 MB for a 2^18-point batch of 16 levels).</para>
/// <para>Tables over 1 MB are streamed in sequentially (<see cref="Warm"/>) before their level's random walk: measured
/// on 2^18 ray-ordered points, default config, one thread, CPU time: forward 33-36 ms -> 27-28 ms,
/// backward 49-56 ms -> 38-40 ms.</para>
/// </summary>
internal static unsafe class HashGridKernels
{
    /// <summary>Points per block of corner scratch.</summary>
    public const int Block = 128;

    /// <summary>tiny-cuda-nn's coherent prime hash factors for y and z (x's factor is 1).</summary>
    public const uint PrimeY = 2654435761u;

    public const uint PrimeZ = 805459861u;

    /// <summary>Ints of corner-index scratch one block needs: idx[8][Block].</summary>
    public const int IndexScratch = 8 * Block;

    /// <summary>
    /// Floats of weight scratch one block needs: w[8][Block], frac[3][Block], dpos[3][Block] (dpos = scale where the
    /// coordinate was inside [0,1], else 0: d(grid position)/dx through the clamp), s[8][Block] (backward with dL/dx).
    /// </summary>
    public const int WeightScratch = 22 * Block;

    /// <summary>
    /// Forward of one level for points [start, end): writes features f = 0..F-1 of the level to
    /// <paramref name="output"/>[f * stride + i]. <paramref name="table"/> points at the level's first entry.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardLevel(
        in HashGridLevel level, int features, float* table, float* x, float* y, float* z, int start, int end,
        float* output, int stride, SimdPath path, int* idx, float* w)
    {
        for (int b = start; b < end; b += Block)
        {
            int n = Math.Min(Block, end - b);
            Corners(level, x + b, y + b, z + b, n, idx, w, path);
            if (features == 2)
            {
                GatherF2(table, n, idx, w, output + b, output + stride + b);
            }
            else
            {
                GatherGeneric(table, features, n, idx, w, output + b, stride);
            }
        }
    }

    /// <summary>
    /// Backward of one level for points [start, end): grad[idx_c][f] += w_c dLdOutput[f * stride + i] (in point order,
    /// corners in order). When <paramref name="dx"/> is non-null also dL/dx of the level: written to
    /// dx/dy/dz[i] when <paramref name="overwriteInput"/>, else added to them. <paramref name="table"/> and
    /// <paramref name="grad"/> point at the level's first entry; <paramref name="warm"/> streams the tables in first.
    /// Returns the <see cref="Warm"/> reads' sum (meaningless; it only keeps the reads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float BackwardLevel(
        in HashGridLevel level, int features, float* table, float* grad, float* x, float* y, float* z, int start, int end,
        float* dLdOutput, int stride, float* dx, float* dy, float* dz, bool overwriteInput, bool warm, SimdPath path, int* idx, float* w)
    {
        long floats = (long)level.TableSize * features;
        float sink = 0f;

        // dL/dx first, in its own pass over the points: it reads the level's values while the scatter below
        // read-modify-writes its gradients; one table at a time keeps the cache footprint at one table (measured: with
        // both tables of a 2^19-entry level in one pass, the level took 2-3x longer on a shared machine).
        if (dx != null)
        {
            if (warm)
            {
                sink += Warm(table, floats);
            }

            for (int b = start; b < end; b += Block)
            {
                int n = Math.Min(Block, end - b);
                Corners(level, x + b, y + b, z + b, n, idx, w, path);
                if (features == 2)
                {
                    CornerDotsF2(table, n, idx, w, dLdOutput + b, dLdOutput + stride + b);
                }
                else
                {
                    CornerDotsGeneric(table, features, n, idx, w, dLdOutput + b, stride);
                }

                InputGradientBlock(n, w, dx + b, dy + b, dz + b, overwriteInput, path);
            }
        }

        if (warm)
        {
            sink += Warm(grad, floats);
        }

        for (int b = start; b < end; b += Block)
        {
            int n = Math.Min(Block, end - b);
            Corners(level, x + b, y + b, z + b, n, idx, w, path);
            if (features == 2)
            {
                ScatterF2(grad, n, idx, w, dLdOutput + b, dLdOutput + stride + b);
            }
            else
            {
                ScatterGeneric(grad, features, n, idx, w, dLdOutput + b, stride);
            }
        }

        return sink;
    }

    /// <summary>
    /// Reads one float of every cache line of [table, table + floats) sequentially, so the level's table streams in at
    /// memory bandwidth (the hardware prefetcher follows the sequential walk) instead of one random miss per line.
    /// Returns a value only so the reads are not optimised away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Warm(float* table, long floats)
    {
        float sink = 0f;
        for (long i = 0; i < floats; i += 16)
        {
            sink += table[i];
        }

        return sink;
    }

    /// <summary>Phase 1 for n &lt;= Block points: idx[c * Block + j], w[c * Block + j], frac and dpos rows after the weights.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Corners(in HashGridLevel level, float* x, float* y, float* z, int n, int* idx, float* w, SimdPath path)
    {
        int j = 0;
        path = SimdPaths.Resolve(path);
        if (path == SimdPath.Vector512)
        {
            j = Corners512(level, x, y, z, n, idx, w);
        }
        else if (path == SimdPath.Vector256)
        {
            j = Corners256(level, x, y, z, n, idx, w);
        }

        for (; j < n; j++)
        {
            CornersScalar(level, x[j], y[j], z[j], j, idx, w);
        }
    }

    /// <summary>The scalar formulas every vector path equals: one point j.</summary>
    private static void CornersScalar(in HashGridLevel level, float xv, float yv, float zv, int j, int* idx, float* w)
    {
        Position(level.Scale, xv, out int ix, out float fx, out float dxp);
        Position(level.Scale, yv, out int iy, out float fy, out float dyp);
        Position(level.Scale, zv, out int iz, out float fz, out float dzp);
        float* frac = w + (8 * Block);
        frac[j] = fx;
        frac[Block + j] = fy;
        frac[(2 * Block) + j] = fz;
        frac[(3 * Block) + j] = dxp;
        frac[(4 * Block) + j] = dyp;
        frac[(5 * Block) + j] = dzp;
        float wx0 = 1f - fx, wy0 = 1f - fy, wz0 = 1f - fz;
        float w00 = wx0 * wy0, w10 = fx * wy0, w01 = wx0 * fy, w11 = fx * fy;
        w[j] = w00 * wz0;
        w[Block + j] = w10 * wz0;
        w[(2 * Block) + j] = w01 * wz0;
        w[(3 * Block) + j] = w11 * wz0;
        w[(4 * Block) + j] = w00 * fz;
        w[(5 * Block) + j] = w10 * fz;
        w[(6 * Block) + j] = w01 * fz;
        w[(7 * Block) + j] = w11 * fz;
        if (level.Dense)
        {
            int r = level.Resolution, r2 = r * r, t = level.TableSize;
            int b0 = ix + (iy * r) + (iz * r2);
            idx[j] = Wrap(b0, t);
            idx[Block + j] = Wrap(b0 + 1, t);
            idx[(2 * Block) + j] = Wrap(b0 + r, t);
            idx[(3 * Block) + j] = Wrap(b0 + r + 1, t);
            idx[(4 * Block) + j] = Wrap(b0 + r2, t);
            idx[(5 * Block) + j] = Wrap(b0 + r2 + 1, t);
            idx[(6 * Block) + j] = Wrap(b0 + r2 + r, t);
            idx[(7 * Block) + j] = Wrap(b0 + r2 + r + 1, t);
        }
        else
        {
            uint mask = (uint)level.TableSize - 1;
            uint hx0 = (uint)ix, hx1 = hx0 + 1;
            uint hy0 = (uint)iy * PrimeY, hy1 = hy0 + PrimeY;
            uint hz0 = (uint)iz * PrimeZ, hz1 = hz0 + PrimeZ;
            idx[j] = (int)((hx0 ^ hy0 ^ hz0) & mask);
            idx[Block + j] = (int)((hx1 ^ hy0 ^ hz0) & mask);
            idx[(2 * Block) + j] = (int)((hx0 ^ hy1 ^ hz0) & mask);
            idx[(3 * Block) + j] = (int)((hx1 ^ hy1 ^ hz0) & mask);
            idx[(4 * Block) + j] = (int)((hx0 ^ hy0 ^ hz1) & mask);
            idx[(5 * Block) + j] = (int)((hx1 ^ hy0 ^ hz1) & mask);
            idx[(6 * Block) + j] = (int)((hx0 ^ hy1 ^ hz1) & mask);
            idx[(7 * Block) + j] = (int)((hx1 ^ hy1 ^ hz1) & mask);
        }
    }

    /// <summary>
    /// Clamps v to [0,1] (NaN to 0), p = fma(scale, v, 0.5), cell = floor(p), frac = p - cell (exact);
    /// d = scale inside [0,1] (bounds included), 0 where clamped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Position(float scale, float v, out int cell, out float frac, out float d)
    {
        bool inside = v >= 0f && v <= 1f;
        v = v >= 0f ? v : 0f;
        v = v <= 1f ? v : 1f;
        float p = MathF.FusedMultiplyAdd(scale, v, 0.5f);
        float c = MathF.Floor(p);
        frac = p - c;
        cell = (int)c;
        d = inside ? scale : 0f;
    }

    /// <summary>i mod t for 0 &lt;= i &lt; 2t (dense indices of clamped positions stay below 2t: R + R^2 + R^3 &lt; 2 R^3 &lt;= 2t).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Wrap(int i, int t) => i >= t ? i - t : i;

    /// <summary>
    /// Lanes: 16 consecutive points. Same operations as <see cref="CornersScalar"/> lane by lane; returns the
    /// number of points done (a multiple of 16); the caller does the tail with the scalar formulas.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Corners512(in HashGridLevel level, float* x, float* y, float* z, int n, int* idx, float* w)
    {
        const int L = 16;
        var scale = Vector512.Create(level.Scale);
        float* frac = w + (8 * Block);
        bool dense = level.Dense;
        int r = level.Resolution;
        var vr = Vector512.Create(r);
        var vr2 = Vector512.Create(r * r);
        var vt = Vector512.Create(level.TableSize);
        var mask = Vector512.Create((uint)level.TableSize - 1);
        var py = Vector512.Create(PrimeY);
        var pz = Vector512.Create(PrimeZ);
        int j = 0;
        for (; j + L <= n; j += L)
        {
            var (ix, fx, dxp) = Position512(Vector512.Load(x + j), scale);
            var (iy, fy, dyp) = Position512(Vector512.Load(y + j), scale);
            var (iz, fz, dzp) = Position512(Vector512.Load(z + j), scale);
            fx.Store(frac + j);
            fy.Store(frac + Block + j);
            fz.Store(frac + (2 * Block) + j);
            dxp.Store(frac + (3 * Block) + j);
            dyp.Store(frac + (4 * Block) + j);
            dzp.Store(frac + (5 * Block) + j);
            var one = Vector512<float>.One;
            var wx0 = one - fx;
            var wy0 = one - fy;
            var wz0 = one - fz;
            var w00 = wx0 * wy0;
            var w10 = fx * wy0;
            var w01 = wx0 * fy;
            var w11 = fx * fy;
            (w00 * wz0).Store(w + j);
            (w10 * wz0).Store(w + Block + j);
            (w01 * wz0).Store(w + (2 * Block) + j);
            (w11 * wz0).Store(w + (3 * Block) + j);
            (w00 * fz).Store(w + (4 * Block) + j);
            (w10 * fz).Store(w + (5 * Block) + j);
            (w01 * fz).Store(w + (6 * Block) + j);
            (w11 * fz).Store(w + (7 * Block) + j);
            if (dense)
            {
                var b0 = ix + (iy * vr) + (iz * vr2);
                var b2 = b0 + vr;
                var b4 = b0 + vr2;
                var b6 = b4 + vr;
                var o = Vector512<int>.One;
                Wrap512(b0, vt).Store(idx + j);
                Wrap512(b0 + o, vt).Store(idx + Block + j);
                Wrap512(b2, vt).Store(idx + (2 * Block) + j);
                Wrap512(b2 + o, vt).Store(idx + (3 * Block) + j);
                Wrap512(b4, vt).Store(idx + (4 * Block) + j);
                Wrap512(b4 + o, vt).Store(idx + (5 * Block) + j);
                Wrap512(b6, vt).Store(idx + (6 * Block) + j);
                Wrap512(b6 + o, vt).Store(idx + (7 * Block) + j);
            }
            else
            {
                var hx0 = ix.AsUInt32();
                var hx1 = hx0 + Vector512<uint>.One;
                var hy0 = iy.AsUInt32() * py;
                var hy1 = hy0 + py;
                var hz0 = iz.AsUInt32() * pz;
                var hz1 = hz0 + pz;
                var yz00 = hy0 ^ hz0;
                var yz10 = hy1 ^ hz0;
                var yz01 = hy0 ^ hz1;
                var yz11 = hy1 ^ hz1;
                ((hx0 ^ yz00) & mask).AsInt32().Store(idx + j);
                ((hx1 ^ yz00) & mask).AsInt32().Store(idx + Block + j);
                ((hx0 ^ yz10) & mask).AsInt32().Store(idx + (2 * Block) + j);
                ((hx1 ^ yz10) & mask).AsInt32().Store(idx + (3 * Block) + j);
                ((hx0 ^ yz01) & mask).AsInt32().Store(idx + (4 * Block) + j);
                ((hx1 ^ yz01) & mask).AsInt32().Store(idx + (5 * Block) + j);
                ((hx0 ^ yz11) & mask).AsInt32().Store(idx + (6 * Block) + j);
                ((hx1 ^ yz11) & mask).AsInt32().Store(idx + (7 * Block) + j);
            }
        }

        return j;
    }

    /// <summary>Lanes: 16 values of one coordinate; <see cref="Position"/> lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<int> Cell, Vector512<float> Frac, Vector512<float> D) Position512(Vector512<float> v, Vector512<float> scale)
    {
        var zero = Vector512<float>.Zero;
        var one = Vector512<float>.One;
        var ge0 = Vector512.GreaterThanOrEqual(v, zero);
        var le1 = Vector512.LessThanOrEqual(v, one);
        v = Vector512.ConditionalSelect(ge0, v, zero);
        v = Vector512.ConditionalSelect(le1, v, one);
        var p = Vector512.FusedMultiplyAdd(scale, v, Vector512.Create(0.5f));
        var c = Vector512.Floor(p);
        return (Vector512.ConvertToInt32(c), p - c, scale & ge0 & le1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Wrap512(Vector512<int> i, Vector512<int> t) => i - (Vector512.GreaterThanOrEqual(i, t) & t);

    /// <summary>As <see cref="Corners512"/> with 8 points per vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Corners256(in HashGridLevel level, float* x, float* y, float* z, int n, int* idx, float* w)
    {
        const int L = 8;
        var scale = Vector256.Create(level.Scale);
        float* frac = w + (8 * Block);
        bool dense = level.Dense;
        int r = level.Resolution;
        var vr = Vector256.Create(r);
        var vr2 = Vector256.Create(r * r);
        var vt = Vector256.Create(level.TableSize);
        var mask = Vector256.Create((uint)level.TableSize - 1);
        var py = Vector256.Create(PrimeY);
        var pz = Vector256.Create(PrimeZ);
        int j = 0;
        for (; j + L <= n; j += L)
        {
            var (ix, fx, dxp) = Position256(Vector256.Load(x + j), scale);
            var (iy, fy, dyp) = Position256(Vector256.Load(y + j), scale);
            var (iz, fz, dzp) = Position256(Vector256.Load(z + j), scale);
            fx.Store(frac + j);
            fy.Store(frac + Block + j);
            fz.Store(frac + (2 * Block) + j);
            dxp.Store(frac + (3 * Block) + j);
            dyp.Store(frac + (4 * Block) + j);
            dzp.Store(frac + (5 * Block) + j);
            var one = Vector256<float>.One;
            var wx0 = one - fx;
            var wy0 = one - fy;
            var wz0 = one - fz;
            var w00 = wx0 * wy0;
            var w10 = fx * wy0;
            var w01 = wx0 * fy;
            var w11 = fx * fy;
            (w00 * wz0).Store(w + j);
            (w10 * wz0).Store(w + Block + j);
            (w01 * wz0).Store(w + (2 * Block) + j);
            (w11 * wz0).Store(w + (3 * Block) + j);
            (w00 * fz).Store(w + (4 * Block) + j);
            (w10 * fz).Store(w + (5 * Block) + j);
            (w01 * fz).Store(w + (6 * Block) + j);
            (w11 * fz).Store(w + (7 * Block) + j);
            if (dense)
            {
                var b0 = ix + (iy * vr) + (iz * vr2);
                var b2 = b0 + vr;
                var b4 = b0 + vr2;
                var b6 = b4 + vr;
                var o = Vector256<int>.One;
                Wrap256(b0, vt).Store(idx + j);
                Wrap256(b0 + o, vt).Store(idx + Block + j);
                Wrap256(b2, vt).Store(idx + (2 * Block) + j);
                Wrap256(b2 + o, vt).Store(idx + (3 * Block) + j);
                Wrap256(b4, vt).Store(idx + (4 * Block) + j);
                Wrap256(b4 + o, vt).Store(idx + (5 * Block) + j);
                Wrap256(b6, vt).Store(idx + (6 * Block) + j);
                Wrap256(b6 + o, vt).Store(idx + (7 * Block) + j);
            }
            else
            {
                var hx0 = ix.AsUInt32();
                var hx1 = hx0 + Vector256<uint>.One;
                var hy0 = iy.AsUInt32() * py;
                var hy1 = hy0 + py;
                var hz0 = iz.AsUInt32() * pz;
                var hz1 = hz0 + pz;
                var yz00 = hy0 ^ hz0;
                var yz10 = hy1 ^ hz0;
                var yz01 = hy0 ^ hz1;
                var yz11 = hy1 ^ hz1;
                ((hx0 ^ yz00) & mask).AsInt32().Store(idx + j);
                ((hx1 ^ yz00) & mask).AsInt32().Store(idx + Block + j);
                ((hx0 ^ yz10) & mask).AsInt32().Store(idx + (2 * Block) + j);
                ((hx1 ^ yz10) & mask).AsInt32().Store(idx + (3 * Block) + j);
                ((hx0 ^ yz01) & mask).AsInt32().Store(idx + (4 * Block) + j);
                ((hx1 ^ yz01) & mask).AsInt32().Store(idx + (5 * Block) + j);
                ((hx0 ^ yz11) & mask).AsInt32().Store(idx + (6 * Block) + j);
                ((hx1 ^ yz11) & mask).AsInt32().Store(idx + (7 * Block) + j);
            }
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<int> Cell, Vector256<float> Frac, Vector256<float> D) Position256(Vector256<float> v, Vector256<float> scale)
    {
        var zero = Vector256<float>.Zero;
        var one = Vector256<float>.One;
        var ge0 = Vector256.GreaterThanOrEqual(v, zero);
        var le1 = Vector256.LessThanOrEqual(v, one);
        v = Vector256.ConditionalSelect(ge0, v, zero);
        v = Vector256.ConditionalSelect(le1, v, one);
        var p = Vector256.FusedMultiplyAdd(scale, v, Vector256.Create(0.5f));
        var c = Vector256.Floor(p);
        return (Vector256.ConvertToInt32(c), p - c, scale & ge0 & le1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Wrap256(Vector256<int> i, Vector256<int> t) => i - (Vector256.GreaterThanOrEqual(i, t) & t);

    /// <summary>An F = 2 entry (8 bytes) in the low half of a Vector128; the upper lanes are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> LoadPair(float* p) => Vector128.CreateScalar(*(double*)p).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair(float* p, Vector128<float> v) => *(double*)p = v.AsDouble().ToScalar();

    /// <summary>s[k] = (a, b) . table[idx[k]] for one corner k = c * Block + j of an F = 2 table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot(float* table, int* idx, float* s, int k, float a, float b)
    {
        float* e = table + (2 * (nint)idx[k]);
        s[k] = (e[0] * a) + (e[1] * b);
    }

    /// <summary>grad[idx[k]] += w[k] * g for one corner k = c * Block + j of an F = 2 table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddPair(float* grad, int* idx, float* w, int k, Vector128<float> g)
    {
        float* p = grad + (2 * (nint)idx[k]);
        StorePair(p, LoadPair(p) + (Vector128.Create(w[k]) * g));
    }

    /// <summary>F = 2 gather: lanes 0 and 1 of acc hold the two features; acc += w_c * entry_c for c = 0..7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherF2(float* table, int n, int* idx, float* w, float* o0, float* o1)
    {
        for (int j = 0; j < n; j++)
        {
            var acc = Vector128.Create(w[j]) * LoadPair(table + (2 * (nint)idx[j]));
            acc += Vector128.Create(w[Block + j]) * LoadPair(table + (2 * (nint)idx[Block + j]));
            acc += Vector128.Create(w[(2 * Block) + j]) * LoadPair(table + (2 * (nint)idx[(2 * Block) + j]));
            acc += Vector128.Create(w[(3 * Block) + j]) * LoadPair(table + (2 * (nint)idx[(3 * Block) + j]));
            acc += Vector128.Create(w[(4 * Block) + j]) * LoadPair(table + (2 * (nint)idx[(4 * Block) + j]));
            acc += Vector128.Create(w[(5 * Block) + j]) * LoadPair(table + (2 * (nint)idx[(5 * Block) + j]));
            acc += Vector128.Create(w[(6 * Block) + j]) * LoadPair(table + (2 * (nint)idx[(6 * Block) + j]));
            acc += Vector128.Create(w[(7 * Block) + j]) * LoadPair(table + (2 * (nint)idx[(7 * Block) + j]));
            o0[j] = acc.ToScalar();
            o1[j] = acc.GetElement(1);
        }
    }

    /// <summary>Any F: out[f * stride + j] = sum_c w_c table[idx_c * F + f], the same operation order as <see cref="GatherF2"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherGeneric(float* table, int features, int n, int* idx, float* w, float* output, int stride)
    {
        for (int j = 0; j < n; j++)
        {
            for (int f = 0; f < features; f++)
            {
                float acc = w[j] * table[((nint)idx[j] * features) + f];
                for (int c = 1; c < 8; c++)
                {
                    acc += w[(c * Block) + j] * table[((nint)idx[(c * Block) + j] * features) + f];
                }

                output[((nint)f * stride) + j] = acc;
            }
        }
    }

    /// <summary>F = 2 scatter: grad[idx_c] += w_c * (g0, g1), points in order, corners 0..7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterF2(float* grad, int n, int* idx, float* w, float* g0, float* g1)
    {
        for (int j = 0; j < n; j++)
        {
            var g = Vector128.Create(g0[j], g1[j], 0f, 0f);
            AddPair(grad, idx, w, j, g);
            AddPair(grad, idx, w, Block + j, g);
            AddPair(grad, idx, w, (2 * Block) + j, g);
            AddPair(grad, idx, w, (3 * Block) + j, g);
            AddPair(grad, idx, w, (4 * Block) + j, g);
            AddPair(grad, idx, w, (5 * Block) + j, g);
            AddPair(grad, idx, w, (6 * Block) + j, g);
            AddPair(grad, idx, w, (7 * Block) + j, g);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterGeneric(float* grad, int features, int n, int* idx, float* w, float* dLdOutput, int stride)
    {
        for (int j = 0; j < n; j++)
        {
            for (int c = 0; c < 8; c++)
            {
                float wc = w[(c * Block) + j];
                float* p = grad + ((nint)idx[(c * Block) + j] * features);
                for (int f = 0; f < features; f++)
                {
                    p[f] += wc * dLdOutput[((nint)f * stride) + j];
                }
            }
        }
    }

    /// <summary>s[c][j] = entry_c . g (g: the level's output gradient of point j), in the block scratch after the frac/dpos rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CornerDotsF2(float* table, int n, int* idx, float* w, float* g0, float* g1)
    {
        float* s = w + (14 * Block);
        for (int j = 0; j < n; j++)
        {
            float a = g0[j], b = g1[j];
            Dot(table, idx, s, j, a, b);
            Dot(table, idx, s, Block + j, a, b);
            Dot(table, idx, s, (2 * Block) + j, a, b);
            Dot(table, idx, s, (3 * Block) + j, a, b);
            Dot(table, idx, s, (4 * Block) + j, a, b);
            Dot(table, idx, s, (5 * Block) + j, a, b);
            Dot(table, idx, s, (6 * Block) + j, a, b);
            Dot(table, idx, s, (7 * Block) + j, a, b);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CornerDotsGeneric(float* table, int features, int n, int* idx, float* w, float* dLdOutput, int stride)
    {
        float* s = w + (14 * Block);
        for (int j = 0; j < n; j++)
        {
            for (int c = 0; c < 8; c++)
            {
                float* e = table + ((nint)idx[(c * Block) + j] * features);
                float sc = e[0] * dLdOutput[j];
                for (int f = 1; f < features; f++)
                {
                    sc += e[f] * dLdOutput[((nint)f * stride) + j];
                }

                s[(c * Block) + j] = sc;
            }
        }
    }

    /// <summary>
    /// dL/dx of one level for n points of a block from s[c][j] = entry_c . g: dL/dfx = sum over corners of
    /// (bx ? +1 : -1) wy wz s_c (likewise y, z), grouped as below, times dpos (the scale, 0 where clamped); written to
    /// dx/dy/dz[j] or added to them. Lanes: consecutive points; every path evaluates the same expressions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientBlock(int n, float* w, float* dx, float* dy, float* dz, bool overwrite, SimdPath path)
    {
        float* f = w + (8 * Block);
        float* s = w + (14 * Block);
        int j = 0;
        path = SimdPaths.Resolve(path);
        if (path == SimdPath.Vector512)
        {
            for (; j + 16 <= n; j += 16)
            {
                var one = Vector512<float>.One;
                var fx = Vector512.Load(f + j);
                var fy = Vector512.Load(f + Block + j);
                var fz = Vector512.Load(f + (2 * Block) + j);
                var wx0 = one - fx;
                var wy0 = one - fy;
                var wz0 = one - fz;
                var s0 = Vector512.Load(s + j);
                var s1 = Vector512.Load(s + Block + j);
                var s2 = Vector512.Load(s + (2 * Block) + j);
                var s3 = Vector512.Load(s + (3 * Block) + j);
                var s4 = Vector512.Load(s + (4 * Block) + j);
                var s5 = Vector512.Load(s + (5 * Block) + j);
                var s6 = Vector512.Load(s + (6 * Block) + j);
                var s7 = Vector512.Load(s + (7 * Block) + j);
                var gx = ((((s1 - s0) * wy0) + ((s3 - s2) * fy)) * wz0) + ((((s5 - s4) * wy0) + ((s7 - s6) * fy)) * fz);
                var gy = ((((s2 - s0) * wx0) + ((s3 - s1) * fx)) * wz0) + ((((s6 - s4) * wx0) + ((s7 - s5) * fx)) * fz);
                var gz = ((((s4 - s0) * wx0) + ((s5 - s1) * fx)) * wy0) + ((((s6 - s2) * wx0) + ((s7 - s3) * fx)) * fy);
                gx *= Vector512.Load(f + (3 * Block) + j);
                gy *= Vector512.Load(f + (4 * Block) + j);
                gz *= Vector512.Load(f + (5 * Block) + j);
                if (!overwrite)
                {
                    gx = Vector512.Load(dx + j) + gx;
                    gy = Vector512.Load(dy + j) + gy;
                    gz = Vector512.Load(dz + j) + gz;
                }

                gx.Store(dx + j);
                gy.Store(dy + j);
                gz.Store(dz + j);
            }
        }
        else if (path == SimdPath.Vector256)
        {
            for (; j + 8 <= n; j += 8)
            {
                var one = Vector256<float>.One;
                var fx = Vector256.Load(f + j);
                var fy = Vector256.Load(f + Block + j);
                var fz = Vector256.Load(f + (2 * Block) + j);
                var wx0 = one - fx;
                var wy0 = one - fy;
                var wz0 = one - fz;
                var s0 = Vector256.Load(s + j);
                var s1 = Vector256.Load(s + Block + j);
                var s2 = Vector256.Load(s + (2 * Block) + j);
                var s3 = Vector256.Load(s + (3 * Block) + j);
                var s4 = Vector256.Load(s + (4 * Block) + j);
                var s5 = Vector256.Load(s + (5 * Block) + j);
                var s6 = Vector256.Load(s + (6 * Block) + j);
                var s7 = Vector256.Load(s + (7 * Block) + j);
                var gx = ((((s1 - s0) * wy0) + ((s3 - s2) * fy)) * wz0) + ((((s5 - s4) * wy0) + ((s7 - s6) * fy)) * fz);
                var gy = ((((s2 - s0) * wx0) + ((s3 - s1) * fx)) * wz0) + ((((s6 - s4) * wx0) + ((s7 - s5) * fx)) * fz);
                var gz = ((((s4 - s0) * wx0) + ((s5 - s1) * fx)) * wy0) + ((((s6 - s2) * wx0) + ((s7 - s3) * fx)) * fy);
                gx *= Vector256.Load(f + (3 * Block) + j);
                gy *= Vector256.Load(f + (4 * Block) + j);
                gz *= Vector256.Load(f + (5 * Block) + j);
                if (!overwrite)
                {
                    gx = Vector256.Load(dx + j) + gx;
                    gy = Vector256.Load(dy + j) + gy;
                    gz = Vector256.Load(dz + j) + gz;
                }

                gx.Store(dx + j);
                gy.Store(dy + j);
                gz.Store(dz + j);
            }
        }

        for (; j < n; j++)
        {
            float fx = f[j], fy = f[Block + j], fz = f[(2 * Block) + j];
            float wx0 = 1f - fx, wy0 = 1f - fy, wz0 = 1f - fz;
            float s0 = s[j], s1 = s[Block + j], s2 = s[(2 * Block) + j], s3 = s[(3 * Block) + j];
            float s4 = s[(4 * Block) + j], s5 = s[(5 * Block) + j], s6 = s[(6 * Block) + j], s7 = s[(7 * Block) + j];
            float gx = ((((s1 - s0) * wy0) + ((s3 - s2) * fy)) * wz0) + ((((s5 - s4) * wy0) + ((s7 - s6) * fy)) * fz);
            float gy = ((((s2 - s0) * wx0) + ((s3 - s1) * fx)) * wz0) + ((((s6 - s4) * wx0) + ((s7 - s5) * fx)) * fz);
            float gz = ((((s4 - s0) * wx0) + ((s5 - s1) * fx)) * wy0) + ((((s6 - s2) * wx0) + ((s7 - s3) * fx)) * fy);
            gx *= f[(3 * Block) + j];
            gy *= f[(4 * Block) + j];
            gz *= f[(5 * Block) + j];
            dx[j] = overwrite ? gx : dx[j] + gx;
            dy[j] = overwrite ? gy : dy[j] + gy;
            dz[j] = overwrite ? gz : dz[j] + gz;
        }
    }
}
