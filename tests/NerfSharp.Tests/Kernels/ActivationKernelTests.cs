using NerfSharp.Kernels;
using NerfSharp.Networks;

namespace NerfSharp.Tests.Kernels;

/// <summary>
/// <see cref="Activations"/>: the span versions on every SIMD path (paths the hardware lacks run through .NET's
/// software fallback) against the scalar formulas, for lengths 0..257 (every vector tail), in and out of place; and
/// the scalar formulas themselves at their defining points (ReLU at 0, trunc_exp's clamp).
/// Exp-based activations may differ from MathF.Exp in the last bit or two; ReLU and identity must be exact.
/// </summary>
public sealed class ActivationKernelTests
{
    public static readonly TheoryData<SimdPath> Paths = new() { SimdPath.Scalar, SimdPath.Vector256, SimdPath.Vector512, SimdPath.Auto };

    private static readonly Activation[] All = [Activation.None, Activation.Relu, Activation.Sigmoid, Activation.TruncExp];

    [Theory]
    [MemberData(nameof(Paths))]
    public void SpanVersionsMatchScalarForEveryLength(SimdPath path)
    {
        foreach (Activation a in All)
        {
            for (int n = 0; n <= 257; n++)
            {
                float[] x = Values(n, seed: n);
                float[] dy = Values(n, seed: n + 1000);
                float[] y = new float[n];
                float[] dx = new float[n];
                Activations.Forward(a, x, y, path);
                Activations.Backward(a, x, dy, dx, path);
                for (int i = 0; i < n; i++)
                {
                    AssertNear(Activations.Forward(a, x[i]), y[i], a, 1f, $"{a} forward, n {n}, [{i}], x {x[i]}");
                    AssertNear(dy[i] * Activations.Derivative(a, x[i]), dx[i], a, dy[i], $"{a} backward, n {n}, [{i}], x {x[i]}");
                }

                // In place: y := f(y), g := g * f'(x).
                float[] inPlace = (float[])x.Clone();
                Activations.Forward(a, inPlace, inPlace, path);
                Assert.Equal(y, inPlace);
                float[] g = (float[])dy.Clone();
                Activations.Backward(a, x, g, g, path);
                Assert.Equal(dx, g);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ElementResultDoesNotDependOnItsPositionInTheSpan(SimdPath path)
    {
        float[] x = Values(37, seed: 3);
        foreach (Activation a in All)
        {
            float[] whole = new float[x.Length];
            Activations.Forward(a, x, whole, path);
            for (int i = 0; i < x.Length; i++)
            {
                float[] one = new float[1];
                Activations.Forward(a, x.AsSpan(i, 1), one, path);
                Assert.Equal(whole[i], one[0]);
            }
        }
    }

    [Fact]
    public void ScalarFormulas()
    {
        Assert.Equal(0f, Activations.Derivative(Activation.Relu, 0f));
        Assert.Equal(1f, Activations.Derivative(Activation.Relu, 1e-30f));
        Assert.Equal(0f, Activations.Forward(Activation.Relu, -2f));
        Assert.Equal(0.5f, Activations.Forward(Activation.Sigmoid, 0f));
        Assert.Equal(0.25f, Activations.Derivative(Activation.Sigmoid, 0f));
        Assert.Equal(MathF.Exp(2f), Activations.Forward(Activation.TruncExp, 2f));
        Assert.Equal(MathF.Exp(2f), Activations.Derivative(Activation.TruncExp, 2f));

        // trunc_exp: the forward is exp itself, the backward clamps its argument to [-15, 15].
        Assert.Equal(MathF.Exp(20f), Activations.Forward(Activation.TruncExp, 20f));
        Assert.Equal(MathF.Exp(15f), Activations.Derivative(Activation.TruncExp, 20f));
        Assert.Equal(MathF.Exp(-15f), Activations.Derivative(Activation.TruncExp, -40f));
        Assert.Equal(1f, Activations.Derivative(Activation.None, 123f));
        Assert.Throws<ArgumentException>(() => Activations.Forward(Activation.Relu, new float[4], new float[3]));
    }

    /// <summary>
    /// Exact for identity and ReLU; else a few ulp of the result plus 1.5e-7 |dy| (sigmoid's derivative s (1 - s) loses
    /// the relative precision of 1 - s when s is near 1: one ulp of s is 6e-8).
    /// </summary>
    private static void AssertNear(float expected, float actual, Activation a, float dy, string what)
    {
        if (a is Activation.None or Activation.Relu)
        {
            Assert.True(expected.Equals(actual), $"{what}: {actual:G9} vs scalar {expected:G9}");
            return;
        }

        double tolerance = (4e-7 * Math.Abs(expected)) + (1.5e-7 * Math.Abs(dy));
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: {actual:G9} vs scalar {expected:G9}");
    }

    /// <summary>Values in [-20, 20] (past trunc_exp's clamp and sigmoid's saturation), with exact zeros and the clamp points.</summary>
    private static float[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (i % 11) switch
            {
                0 => 0f,
                5 => 15f,
                7 => -15f,
                _ => (float)((rng.NextDouble() * 40) - 20),
            };
        }

        return v;
    }
}
