using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NerfSharp.Kernels;

namespace NerfSharp.Encodings;

/// <summary>
/// The real spherical-harmonics polynomials of bands l = 0..degree-1 (tiny-cuda-nn's constants and signs) and their
/// gradients, over feature-major buffers: direction component d of item i at input[d * count + i], basis function k
/// at output[k * count + i]. One generic body evaluates the polynomials for any lane type, so the scalar reference
/// (one float per lane) and the Vector256/Vector512 paths (8/16 consecutive items per lane) perform the same float
/// operations in the same order and agree bit for bit.
/// </summary>
internal static class SphericalHarmonicsKernel
{
    // Band 0 and 1: 1/(2 sqrt(pi)), sqrt(3)/(2 sqrt(pi)).
    private const float C0 = 0.28209479177387814f;
    private const float C1 = 0.48860251190291987f;

    // Band 2: sqrt(15)/(2 sqrt(pi)), 3 sqrt(5)/(4 sqrt(pi)), sqrt(5)/(4 sqrt(pi)), sqrt(15)/(4 sqrt(pi)).
    private const float C2XY = 1.0925484305920792f;
    private const float C2ZZ = 0.94617469575755997f;
    private const float C2Z0 = 0.31539156525251999f;
    private const float C2XX = 0.54627421529603959f;

    // Band 3: sqrt(70)/(8 sqrt(pi)), sqrt(105)/(2 sqrt(pi)), sqrt(42)/(8 sqrt(pi)), sqrt(7)/(4 sqrt(pi)), sqrt(105)/(4 sqrt(pi)).
    private const float C3A = 0.59004358992664352f;
    private const float C3B = 2.8906114426405538f;
    private const float C3C = 0.45704579946446572f;
    private const float C3D = 0.3731763325901154f;
    private const float C3E = 1.4453057213202769f;

    /// <summary>Basis functions of the given degree (bands): degree^2.</summary>
    public static int Width(int degree) => degree * degree;

    /// <summary>input [3][count] directions -> output [degree^2][count].</summary>
    public static void Forward(SimdPath path, int degree, ReadOnlySpan<float> input, int count, Span<float> output)
    {
        ref float inRef = ref MemoryMarshal.GetReference(input);
        ref float outRef = ref MemoryMarshal.GetReference(output);
        int i = 0;
        switch (SimdPaths.Resolve(path))
        {
            case SimdPath.Vector512:
                i = ForwardRange<Lanes512>(degree, ref inRef, ref outRef, count, 0);
                break;
            case SimdPath.Vector256:
                i = ForwardRange<Lanes256>(degree, ref inRef, ref outRef, count, 0);
                break;
        }

        // Tail (count % lanes items), or everything on the scalar path: the same body with one item per lane.
        ForwardRange<Lanes1>(degree, ref inRef, ref outRef, count, i);
    }

    /// <summary>
    /// dLdOutput [degree^2][count] -> dLdInput [3][count] (overwritten): dL/dd = sum_k dL/dY_k dY_k/dd for d = x, y, z,
    /// the derivatives of the polynomials treated as functions on all of R^3 (no projection onto the sphere).
    /// </summary>
    public static void Backward(SimdPath path, int degree, ReadOnlySpan<float> input, int count, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        ref float inRef = ref MemoryMarshal.GetReference(input);
        ref float gRef = ref MemoryMarshal.GetReference(dLdOutput);
        ref float dRef = ref MemoryMarshal.GetReference(dLdInput);
        int i = 0;
        switch (SimdPaths.Resolve(path))
        {
            case SimdPath.Vector512:
                i = BackwardRange<Lanes512>(degree, ref inRef, ref gRef, ref dRef, count, 0);
                break;
            case SimdPath.Vector256:
                i = BackwardRange<Lanes256>(degree, ref inRef, ref gRef, ref dRef, count, 0);
                break;
        }

        BackwardRange<Lanes1>(degree, ref inRef, ref gRef, ref dRef, count, i);
    }

    /// <summary>Encodes whole lane groups from <paramref name="start"/>; returns the first item not encoded.</summary>
    private static int ForwardRange<TL>(int degree, ref float input, ref float output, int count, int start)
        where TL : struct, ILanes<TL>
    {
        nuint stride = (nuint)count;
        int i = start;
        for (; i <= count - TL.Count; i += TL.Count)
        {
            // Each lane holds one item i + lane: x, y, z of its direction; basis k goes to row k.
            nuint at = (nuint)i;
            TL x = TL.Load(ref input, at);
            TL y = TL.Load(ref input, stride + at);
            TL z = TL.Load(ref input, (2 * stride) + at);
            ref float o = ref Unsafe.Add(ref output, at);
            TL.Store(TL.Create(C0), ref o, 0);
            if (degree <= 1)
            {
                continue;
            }

            TL.Store(TL.Create(-C1) * y, ref o, stride);
            TL.Store(TL.Create(C1) * z, ref o, 2 * stride);
            TL.Store(TL.Create(-C1) * x, ref o, 3 * stride);
            if (degree <= 2)
            {
                continue;
            }

            TL xy = x * y, xz = x * z, yz = y * z, x2 = x * x, y2 = y * y, z2 = z * z;
            TL.Store(TL.Create(C2XY) * xy, ref o, 4 * stride);
            TL.Store(TL.Create(-C2XY) * yz, ref o, 5 * stride);
            TL.Store((TL.Create(C2ZZ) * z2) - TL.Create(C2Z0), ref o, 6 * stride);
            TL.Store(TL.Create(-C2XY) * xz, ref o, 7 * stride);
            TL.Store((TL.Create(C2XX) * x2) - (TL.Create(C2XX) * y2), ref o, 8 * stride);
            if (degree <= 3)
            {
                continue;
            }

            TL oneMinus5z2 = TL.Create(1f) - (TL.Create(5f) * z2);
            TL.Store(TL.Create(C3A) * y * (y2 - (TL.Create(3f) * x2)), ref o, 9 * stride);
            TL.Store(TL.Create(C3B) * xy * z, ref o, 10 * stride);
            TL.Store(TL.Create(C3C) * y * oneMinus5z2, ref o, 11 * stride);
            TL.Store(TL.Create(C3D) * z * ((TL.Create(5f) * z2) - TL.Create(3f)), ref o, 12 * stride);
            TL.Store(TL.Create(C3C) * x * oneMinus5z2, ref o, 13 * stride);
            TL.Store(TL.Create(C3E) * z * (x2 - y2), ref o, 14 * stride);
            TL.Store(TL.Create(C3A) * x * ((TL.Create(3f) * y2) - x2), ref o, 15 * stride);
        }

        return i;
    }

    /// <summary>
    /// Gradients of whole lane groups from <paramref name="start"/>; returns the first item not done. Each term is
    /// g_k times the partial derivative of basis k (written out beside it); the sums run in increasing k.
    /// </summary>
    private static int BackwardRange<TL>(int degree, ref float input, ref float dLdOutput, ref float dLdInput, int count, int start)
        where TL : struct, ILanes<TL>
    {
        nuint stride = (nuint)count;
        int i = start;
        for (; i <= count - TL.Count; i += TL.Count)
        {
            nuint at = (nuint)i;
            TL x = TL.Load(ref input, at);
            TL y = TL.Load(ref input, stride + at);
            TL z = TL.Load(ref input, (2 * stride) + at);
            ref float g = ref Unsafe.Add(ref dLdOutput, at);
            TL dx = default, dy = default, dz = default;
            if (degree >= 2)
            {
                // Y1 = -C1 y, Y2 = C1 z, Y3 = -C1 x.
                dy -= TL.Create(C1) * TL.Load(ref g, stride);
                dz += TL.Create(C1) * TL.Load(ref g, 2 * stride);
                dx -= TL.Create(C1) * TL.Load(ref g, 3 * stride);
            }

            if (degree >= 3)
            {
                TL g4 = TL.Load(ref g, 4 * stride), g5 = TL.Load(ref g, 5 * stride), g6 = TL.Load(ref g, 6 * stride);
                TL g7 = TL.Load(ref g, 7 * stride), g8 = TL.Load(ref g, 8 * stride);
                TL cxy = TL.Create(C2XY);

                // Y4 = C xy: (C y, C x, 0). Y5 = -C yz: (0, -C z, -C y). Y6 = C' z^2 - c: (0, 0, 2 C' z).
                // Y7 = -C xz: (-C z, 0, -C x). Y8 = C'' (x^2 - y^2): (2 C'' x, -2 C'' y, 0), 2 C'' = C.
                dx += (cxy * y * g4) - (cxy * z * g7) + (cxy * x * g8);
                dy += (cxy * x * g4) - (cxy * z * g5) - (cxy * y * g8);
                dz += (TL.Create(2f * C2ZZ) * z * g6) - (cxy * y * g5) - (cxy * x * g7);
            }

            if (degree >= 4)
            {
                TL g9 = TL.Load(ref g, 9 * stride), g10 = TL.Load(ref g, 10 * stride), g11 = TL.Load(ref g, 11 * stride);
                TL g12 = TL.Load(ref g, 12 * stride), g13 = TL.Load(ref g, 13 * stride), g14 = TL.Load(ref g, 14 * stride);
                TL g15 = TL.Load(ref g, 15 * stride);
                TL x2 = x * x, y2 = y * y, z2 = z * z;
                TL three = TL.Create(3f);
                TL oneMinus5z2 = TL.Create(1f) - (TL.Create(5f) * z2);
                TL a3 = TL.Create(3f * C3A), a6 = TL.Create(6f * C3A);
                TL b = TL.Create(C3B), c = TL.Create(C3C), c10 = TL.Create(10f * C3C), e = TL.Create(C3E), e2 = TL.Create(2f * C3E);

                // Y9 = A y (y^2 - 3x^2): (-6A xy, 3A (y^2 - x^2), 0).   Y10 = B xyz: (B yz, B xz, B xy).
                // Y11 = C y (1 - 5z^2): (0, C (1 - 5z^2), -10C yz).     Y12 = D z (5z^2 - 3): (0, 0, D (15z^2 - 3)).
                // Y13 = C x (1 - 5z^2): (C (1 - 5z^2), 0, -10C xz).     Y14 = E z (x^2 - y^2): (2E xz, -2E yz, E (x^2 - y^2)).
                // Y15 = A x (3y^2 - x^2): (3A (y^2 - x^2), 6A xy, 0).
                TL y2MinusX2 = y2 - x2;
                dx += (b * y * z * g10) - (a6 * x * y * g9) + (c * oneMinus5z2 * g13) + (e2 * x * z * g14) + (a3 * y2MinusX2 * g15);
                dy += (a3 * y2MinusX2 * g9) + (b * x * z * g10) + (c * oneMinus5z2 * g11) - (e2 * y * z * g14) + (a6 * x * y * g15);
                dz += (b * x * y * g10) - (c10 * y * z * g11) + (TL.Create(C3D) * ((TL.Create(15f) * z2) - three) * g12)
                    - (c10 * x * z * g13) + (e * (x2 - y2) * g14);
            }

            ref float d = ref Unsafe.Add(ref dLdInput, at);
            TL.Store(dx, ref d, 0);
            TL.Store(dy, ref d, stride);
            TL.Store(dz, ref d, 2 * stride);
        }

        return i;
    }

    /// <summary>What the polynomial bodies need of a lane type: broadcast, load/store at an offset, + - *.</summary>
    private interface ILanes<TSelf>
        where TSelf : struct, ILanes<TSelf>
    {
        static abstract int Count { get; }

        static abstract TSelf Create(float value);

        static abstract TSelf Load(ref float source, nuint offset);

        static abstract void Store(TSelf value, ref float destination, nuint offset);

        static abstract TSelf operator +(TSelf a, TSelf b);

        static abstract TSelf operator -(TSelf a, TSelf b);

        static abstract TSelf operator *(TSelf a, TSelf b);
    }

    /// <summary>One item per lane: the scalar reference and the tail of the vector paths.</summary>
    private readonly struct Lanes1 : ILanes<Lanes1>
    {
        private readonly float v;

        private Lanes1(float v) => this.v = v;

        public static int Count => 1;

        public static Lanes1 Create(float value) => new(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes1 Load(ref float source, nuint offset) => new(Unsafe.Add(ref source, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Lanes1 value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value.v;

        public static Lanes1 operator +(Lanes1 a, Lanes1 b) => new(a.v + b.v);

        public static Lanes1 operator -(Lanes1 a, Lanes1 b) => new(a.v - b.v);

        public static Lanes1 operator *(Lanes1 a, Lanes1 b) => new(a.v * b.v);
    }

    /// <summary>Eight consecutive items per lane group.</summary>
    private readonly struct Lanes256 : ILanes<Lanes256>
    {
        private readonly Vector256<float> v;

        private Lanes256(Vector256<float> v) => this.v = v;

        public static int Count => Vector256<float>.Count;

        public static Lanes256 Create(float value) => new(Vector256.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 Load(ref float source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Lanes256 value, ref float destination, nuint offset) => value.v.StoreUnsafe(ref destination, offset);

        public static Lanes256 operator +(Lanes256 a, Lanes256 b) => new(a.v + b.v);

        public static Lanes256 operator -(Lanes256 a, Lanes256 b) => new(a.v - b.v);

        public static Lanes256 operator *(Lanes256 a, Lanes256 b) => new(a.v * b.v);
    }

    /// <summary>Sixteen consecutive items per lane group.</summary>
    private readonly struct Lanes512 : ILanes<Lanes512>
    {
        private readonly Vector512<float> v;

        private Lanes512(Vector512<float> v) => this.v = v;

        public static int Count => Vector512<float>.Count;

        public static Lanes512 Create(float value) => new(Vector512.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 Load(ref float source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Lanes512 value, ref float destination, nuint offset) => value.v.StoreUnsafe(ref destination, offset);

        public static Lanes512 operator +(Lanes512 a, Lanes512 b) => new(a.v + b.v);

        public static Lanes512 operator -(Lanes512 a, Lanes512 b) => new(a.v - b.v);

        public static Lanes512 operator *(Lanes512 a, Lanes512 b) => new(a.v * b.v);
    }
}
