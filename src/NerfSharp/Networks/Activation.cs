using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NerfSharp.Kernels;

namespace NerfSharp.Networks;

/// <summary>The element-wise function a layer of an <see cref="Mlp"/> applies to its pre-activation x.</summary>
public enum Activation
{
    /// <summary>Identity: f(x) = x, f'(x) = 1.</summary>
    None,

    /// <summary>f(x) = max(x, 0); f'(x) = 1 for x &gt; 0, else 0 (PyTorch's choice at 0).</summary>
    Relu,

    /// <summary>f(x) = 1 / (1 + exp(-x)); f'(x) = f(x) (1 - f(x)).</summary>
    Sigmoid,

    /// <summary>
    /// torch-ngp's / nerfacc's trunc_exp for densities: f(x) = exp(x), but the backward pass uses
    /// exp(clamp(x, -15, 15)), so a large pre-activation cannot produce an overflowing gradient.
    /// </summary>
    TruncExp,
}

/// <summary>
/// Forward values and derivatives of each <see cref="Activation"/>: scalar formulas (the reference) and span versions
/// that run over Vector512 / Vector256 lanes. The span versions handle the tail (length not a multiple of the vector
/// width) by running the same vector code on a zero-padded copy, so an element's result does not depend on where it
/// sits in the span. Exp in the vector paths is .NET's vectorised exp, which can differ from <see cref="MathF.Exp"/>
/// in the last bit; ReLU and identity are exact on every path.
/// </summary>
public static class Activations
{
    /// <summary>trunc_exp's backward clamps its argument to [-TruncExpClamp, TruncExpClamp].</summary>
    public const float TruncExpClamp = 15f;

    /// <summary>f(x).</summary>
    public static float Forward(Activation activation, float x) => activation switch
    {
        Activation.None => x,
        Activation.Relu => MathF.Max(x, 0f),
        Activation.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        Activation.TruncExp => MathF.Exp(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>f'(x), the derivative the backward pass uses (for TruncExp: exp(clamp(x, -15, 15))).</summary>
    public static float Derivative(Activation activation, float x)
    {
        switch (activation)
        {
            case Activation.None:
                return 1f;
            case Activation.Relu:
                return x > 0f ? 1f : 0f;
            case Activation.Sigmoid:
                float s = 1f / (1f + MathF.Exp(-x));
                return s * (1f - s);
            case Activation.TruncExp:
                return MathF.Exp(Math.Clamp(x, -TruncExpClamp, TruncExpClamp));
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>y[i] = f(x[i]) for i &lt; x.Length. <paramref name="y"/> may be <paramref name="x"/> (in place).</summary>
    public static void Forward(Activation activation, ReadOnlySpan<float> x, Span<float> y, SimdPath path = SimdPath.Auto)
    {
        CheckLengths(x.Length, y.Length, x.Length, nameof(y));
        Run(new ForwardOp(activation), x, x, y, SimdPaths.Resolve(path));
    }

    /// <summary>
    /// dLdx[i] = dLdy[i] * f'(x[i]) for i &lt; x.Length (the chain rule through the activation, x the pre-activation).
    /// <paramref name="dLdx"/> may be <paramref name="dLdy"/> (in place). For <see cref="Activation.Relu"/>, x may also be
    /// the ReLU's output (y &gt; 0 exactly when x &gt; 0).
    /// </summary>
    public static void Backward(Activation activation, ReadOnlySpan<float> x, ReadOnlySpan<float> dLdy, Span<float> dLdx, SimdPath path = SimdPath.Auto)
    {
        CheckLengths(x.Length, dLdy.Length, x.Length, nameof(dLdy));
        CheckLengths(x.Length, dLdx.Length, x.Length, nameof(dLdx));
        Run(new BackwardOp(activation), x, dLdy, dLdx, SimdPaths.Resolve(path));
    }

    private static void CheckLengths(int length, int actual, int needed, string name)
    {
        if (actual < needed)
        {
            throw new ArgumentException($"{name} has {actual} floats, needs {length}", name);
        }
    }

    /// <summary>
    /// The one driver: out[i] = op(a[i], b[i]) over full vectors, then the tail through a zero-padded stack copy with
    /// the same vector code (scalar formulas only on the scalar path).
    /// </summary>
    private static void Run<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, SimdPath path)
        where TOp : struct, IElementOp
    {
        int n = a.Length;
        if (n == 0)
        {
            return;
        }

        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float ro = ref MemoryMarshal.GetReference(output);
        int i = 0;
        if (path == SimdPath.Vector512)
        {
            for (; i + 16 <= n; i += 16)
            {
                op.Invoke(Vector512.LoadUnsafe(ref ra, (nuint)i), Vector512.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref ro, (nuint)i);
            }

            if (i < n)
            {
                Span<float> ta = stackalloc float[16], tb = stackalloc float[16];
                ta.Clear();
                tb.Clear();
                a[i..].CopyTo(ta);
                b[i..n].CopyTo(tb);
                Vector512<float> r = op.Invoke(Vector512.Create<float>(ta), Vector512.Create<float>(tb));
                r.CopyTo(ta);
                ta[..(n - i)].CopyTo(output[i..]);
            }

            return;
        }

        if (path == SimdPath.Vector256)
        {
            for (; i + 8 <= n; i += 8)
            {
                op.Invoke(Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref ro, (nuint)i);
            }

            if (i < n)
            {
                Span<float> ta = stackalloc float[8], tb = stackalloc float[8];
                ta.Clear();
                tb.Clear();
                a[i..].CopyTo(ta);
                b[i..n].CopyTo(tb);
                Vector256<float> r = op.Invoke(Vector256.Create<float>(ta), Vector256.Create<float>(tb));
                r.CopyTo(ta);
                ta[..(n - i)].CopyTo(output[i..]);
            }

            return;
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref ro, i) = op.Invoke(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
        }
    }

    /// <summary>An element-wise operation of two operands with scalar, Vector256 and Vector512 forms that compute the same formula.</summary>
    private interface IElementOp
    {
        float Invoke(float a, float b);

        Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);

        Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
    }

    /// <summary>f(a); b is ignored.</summary>
    private readonly struct ForwardOp(Activation activation) : IElementOp
    {
        public float Invoke(float a, float b) => Forward(activation, a);

        public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => activation switch
        {
            Activation.None => a,
            Activation.Relu => Vector256.Max(a, Vector256<float>.Zero),
            Activation.Sigmoid => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-a)),
            Activation.TruncExp => Vector256.Exp(a),
            _ => throw new ArgumentOutOfRangeException(nameof(activation)),
        };

        public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => activation switch
        {
            Activation.None => a,
            Activation.Relu => Vector512.Max(a, Vector512<float>.Zero),
            Activation.Sigmoid => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-a)),
            Activation.TruncExp => Vector512.Exp(a),
            _ => throw new ArgumentOutOfRangeException(nameof(activation)),
        };
    }

    /// <summary>b * f'(a): a is the pre-activation, b the gradient of the output.</summary>
    private readonly struct BackwardOp(Activation activation) : IElementOp
    {
        public float Invoke(float a, float b) => activation switch
        {
            Activation.None => b,
            Activation.Relu => a > 0f ? b : 0f,
            _ => b * Derivative(activation, a),
        };

        public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b)
        {
            switch (activation)
            {
                case Activation.None:
                    return b;
                case Activation.Relu:
                    return b & Vector256.GreaterThan(a, Vector256<float>.Zero);
                case Activation.Sigmoid:
                    Vector256<float> s = Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-a));
                    return b * (s * (Vector256<float>.One - s));
                case Activation.TruncExp:
                    Vector256<float> c = Vector256.Min(Vector256.Max(a, Vector256.Create(-TruncExpClamp)), Vector256.Create(TruncExpClamp));
                    return b * Vector256.Exp(c);
                default:
                    throw new ArgumentOutOfRangeException(nameof(activation));
            }
        }

        public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b)
        {
            switch (activation)
            {
                case Activation.None:
                    return b;
                case Activation.Relu:
                    return b & Vector512.GreaterThan(a, Vector512<float>.Zero);
                case Activation.Sigmoid:
                    Vector512<float> s = Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-a));
                    return b * (s * (Vector512<float>.One - s));
                case Activation.TruncExp:
                    Vector512<float> c = Vector512.Min(Vector512.Max(a, Vector512.Create(-TruncExpClamp)), Vector512.Create(TruncExpClamp));
                    return b * Vector512.Exp(c);
                default:
                    throw new ArgumentOutOfRangeException(nameof(activation));
            }
        }
    }
}
