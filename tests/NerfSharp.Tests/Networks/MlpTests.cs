using NerfSharp.Modules;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Networks;

/// <summary>
/// Mlp against the double-precision <see cref="MlpReference"/> (outputs, parameter gradients, input gradients) for
/// every item count 0..257 and larger batches, every activation in hidden and output layers, with and without bias,
/// the Instant-NGP presets; finite-difference checks of the reference and of the float network; determinism;
/// accumulate / overwrite semantics; no allocation per call.
/// </summary>
public sealed class MlpTests
{
    private static readonly Activation[] AllActivations = [Activation.None, Activation.Relu, Activation.Sigmoid, Activation.TruncExp];

    public static TheoryData<int, int, bool> ActivationPairs()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (Activation h in AllActivations)
        {
            foreach (Activation o in AllActivations)
            {
                data.Add((int)h, (int)o, false);
                data.Add((int)h, (int)o, true);
            }
        }

        return data;
    }

    [Fact]
    public void RegistersLayersInItsGroup()
    {
        var store = new ParameterStore();
        var mlp = new Mlp(MlpPresets.NgpColor(), store, "color");
        Assert.Equal(["color.layers.0.weight", "color.layers.1.weight", "color.layers.2.weight"], store.Tensors.Select(t => t.Name));
        Assert.Equal([64, 31], store["color.layers.0.weight"].Shape);
        Assert.Equal([64, 64], store["color.layers.1.weight"].Shape);
        Assert.Equal([3, 64], store["color.layers.2.weight"].Shape);
        Assert.All(store.Tensors, t => Assert.Equal("mlp", t.Group));
        Assert.Equal(31, mlp.InputWidth);
        Assert.Equal(3, mlp.OutputWidth);
        Assert.Equal((64 * 31) + (64 * 64) + (3 * 64), mlp.ParameterCount);
        Assert.Equal(mlp.ParameterCount, mlp.MacsPerItem);

        var withBias = new ParameterStore();
        var biased = new Mlp(new MlpConfig(5, [new MlpLayer(7, Activation.Relu), new MlpLayer(2, Activation.None)], Bias: true), withBias, "", "density");
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"], withBias.Tensors.Select(t => t.Name));
        Assert.Equal([7], withBias["layers.0.bias"].Shape);
        Assert.All(withBias.Tensors, t => Assert.Equal("density", t.Group));
        Assert.Equal((7 * 5) + 7 + (2 * 7) + 2, biased.ParameterCount);

        var density = new Mlp(MlpPresets.NgpDensity(), new ParameterStore(), "d");
        Assert.Equal(32, density.InputWidth);
        Assert.Equal(16, density.OutputWidth);
        Assert.Throws<ArgumentException>(() => new Mlp(new MlpConfig(3, []), new ParameterStore(), "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp(new MlpConfig(0, [new MlpLayer(2, Activation.None)]), new ParameterStore(), "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp(new MlpConfig(3, [new MlpLayer(0, Activation.None)]), new ParameterStore(), "x"));
    }

    [Fact]
    public void InitializeIsXavierUniformWithZeroBias()
    {
        var store = new ParameterStore();
        var mlp = new Mlp(new MlpConfig(31, [new MlpLayer(64, Activation.Relu), new MlpLayer(3, Activation.Sigmoid)], Bias: true), store, "c");
        store.Freeze();
        store.Values.AsSpan().Fill(9f);
        mlp.Initialize(new Rng(5));
        foreach (ParameterTensor t in store.Tensors)
        {
            Span<float> v = store.ValuesOf(t);
            if (t.Shape.Length == 1)
            {
                Assert.All(v.ToArray(), x => Assert.Equal(0f, x));
                continue;
            }

            float bound = MathF.Sqrt(6f / (t.Shape[0] + t.Shape[1]));
            float max = 0;
            foreach (float x in v)
            {
                Assert.True(Math.Abs(x) <= bound, $"{t.Name}: {x} outside +-{bound}");
                max = Math.Max(max, Math.Abs(x));
            }

            Assert.True(max > 0.9f * bound, $"{t.Name}: largest |w| {max} far below the bound {bound}");
        }
    }

    [Fact]
    public void MatchesReferenceForEveryCountUpTo257()
    {
        int combos = AllActivations.Length * AllActivations.Length * 2;
        for (int count = 0; count <= 257; count++)
        {
            int c = count % combos;
            MlpConfig config = Config(AllActivations[c % 4], AllActivations[(c / 4) % 4], bias: c >= 16);
            CheckAgainstReference(config, count, seed: count, threads: 2, inputGradient: count % 5 != 3);
        }
    }

    [Theory]
    [MemberData(nameof(ActivationPairs))]
    public void MatchesReferenceForEveryActivation(int hidden, int output, bool bias)
    {
        MlpConfig config = Config((Activation)hidden, (Activation)output, bias);
        foreach (int count in new[] { 1, 13, 97, 383, 385, 1000 })
        {
            CheckAgainstReference(config, count, seed: (hidden * 100) + (output * 10) + count, threads: 2, inputGradient: true);
        }

        // One layer only: input straight to the output activation.
        CheckAgainstReference(new MlpConfig(19, [new MlpLayer(33, (Activation)output)], bias), 50, seed: 3, threads: 2, inputGradient: true);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 777)]
    [InlineData(true, 5000)]
    [InlineData(false, 1)]
    [InlineData(false, 777)]
    [InlineData(false, 5000)]
    public void PresetsMatchReference(bool density, int count)
    {
        MlpConfig config = density ? MlpPresets.NgpDensity() : MlpPresets.NgpColor();
        CheckAgainstReference(config, count, seed: count, threads: 2, inputGradient: true);
    }

    [Theory]
    [InlineData(Activation.Relu, Activation.None, false)]
    [InlineData(Activation.Relu, Activation.Sigmoid, true)]
    [InlineData(Activation.Sigmoid, Activation.TruncExp, true)]
    [InlineData(Activation.TruncExp, Activation.Relu, false)]
    [InlineData(Activation.None, Activation.Sigmoid, false)]
    public void ReferenceGradientsMatchFiniteDifferences(Activation hidden, Activation output, bool bias)
    {
        MlpConfig config = Config(hidden, output, bias);
        const int count = 6;
        var (store, _, input) = Setup(config, count, seed: 21);
        var reference = new MlpReference(config, store, "net");
        double[] r = GradientCheck.RandomWeights(reference.OutputWidth * count, seed: 5);
        float[] dOut = r.Select(v => (float)v).ToArray();
        double Loss() => Dot(reference.Forward(input, count), r);
        var (dParams, dInput) = reference.Backward(input, count, dOut);
        GradientCheck.Check(store.Values, Loss, dParams.Select(v => (float)v).ToArray(), probes: 120, eps: 1e-3, tolerance: 1e-3, floor: 1e-6, skip: i => CrossesKink(config, store, store.Values, i, input, count));
        GradientCheck.Check(input, Loss, dInput.Select(v => (float)v).ToArray(), probes: 60, eps: 1e-3, tolerance: 1e-3, floor: 1e-6, skip: i => CrossesKink(config, store, input, i, input, count));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FloatGradientsMatchFiniteDifferences(bool densityPreset)
    {
        MlpConfig config = densityPreset
            ? MlpPresets.NgpDensity(8) with { Layers = [new MlpLayer(64, Activation.Relu), new MlpLayer(4, Activation.TruncExp)] }
            : MlpPresets.NgpColor(7) with { Bias = true };
        const int count = 5;
        var (store, mlp, input) = Setup(config, count, seed: 8);
        ModuleContext ctx = mlp.CreateContext(count);
        double[] r = GradientCheck.RandomWeights(mlp.OutputWidth * count, seed: 6);
        float[] output = new float[mlp.OutputWidth * count];
        double Loss()
        {
            mlp.Forward(input, count, output, ctx);
            double s = 0;
            for (int i = 0; i < output.Length; i++)
            {
                s += output[i] * r[i];
            }

            return s;
        }

        Loss();
        float[] dInput = new float[mlp.InputWidth * count];
        store.ZeroGradients();
        mlp.Backward(ctx, r.Select(v => (float)v).ToArray(), dInput);
        float[] dParams = (float[])store.Gradients.Clone();
        GradientCheck.Check(store.Values, Loss, dParams, probes: 80, eps: 5e-3, tolerance: 2e-2, floor: 1e-3, skip: i => CrossesKink(config, store, store.Values, i, input, count, 5e-3f));
        GradientCheck.Check(input, Loss, dInput, probes: 40, eps: 5e-3, tolerance: 2e-2, floor: 1e-3, skip: i => CrossesKink(config, store, input, i, input, count, 5e-3f));
    }

    [Fact]
    public void ResultsAreBitIdenticalRunToRunAndAcrossThreadCounts()
    {
        MlpConfig config = MlpPresets.NgpColor() with { Bias = true };
        const int count = 4099;
        var (store, mlp, input) = Setup(config, count, seed: 31);
        float[] dOut = RandomFloats(mlp.OutputWidth * count, 32);
        (float[] Out, float[] Grad, float[] DIn) Run(ModuleContext ctx)
        {
            float[] output = new float[mlp.OutputWidth * count];
            float[] dIn = new float[mlp.InputWidth * count];
            store.ZeroGradients();
            mlp.Forward(input, count, output, ctx);
            mlp.Backward(ctx, dOut, dIn);
            return (output, (float[])store.Gradients.Clone(), dIn);
        }

        var two = mlp.CreateContext(count, 2);
        var a = Run(two);
        var b = Run(two);
        var c = Run(mlp.CreateContext(count, 1));
        var d = Run(mlp.CreateContext(count, 3));
        foreach (var other in new[] { b, c, d })
        {
            Assert.Equal(a.Out, other.Out);
            Assert.Equal(a.Grad, other.Grad);
            Assert.Equal(a.DIn, other.DIn);
        }
    }

    [Fact]
    public void BackwardAddsParameterGradientsAndOverwritesInputGradient()
    {
        MlpConfig config = Config(Activation.Relu, Activation.Sigmoid, bias: true);
        foreach (int count in new[] { 90, 1500 })
        {
            var (store, mlp, input) = Setup(config, count, seed: 4);
            ModuleContext ctx = mlp.CreateContext(count);
            float[] output = new float[mlp.OutputWidth * count];
            float[] dOut = RandomFloats(mlp.OutputWidth * count, 9);
            mlp.Forward(input, count, output, ctx);
            float[] fresh = new float[mlp.InputWidth * count];
            store.ZeroGradients();
            mlp.Backward(ctx, dOut, fresh);
            float[] gradient = (float[])store.Gradients.Clone();

            float[] start = RandomFloats(store.Count, 10);
            start.CopyTo(store.Gradients, 0);
            float[] dirty = Enumerable.Repeat(float.NaN, mlp.InputWidth * count).ToArray();
            mlp.Backward(ctx, dOut, dirty);
            Assert.Equal(fresh, dirty);
            for (int i = 0; i < start.Length; i++)
            {
                if (count <= MlpContext.TilePoints)
                {
                    Assert.Equal(start[i] + gradient[i], store.Gradients[i]); // one chunk: exactly one partial added
                }
                else
                {
                    Assert.Equal(start[i] + gradient[i], store.Gradients[i], 1e-5f * (1 + Math.Abs(gradient[i])));
                }
            }

            // No input gradient asked: parameter gradients are the same.
            store.ZeroGradients();
            mlp.Backward(ctx, dOut, default);
            Assert.Equal(gradient, store.Gradients);
        }
    }

    [Fact]
    public void ValidatesArgumentsAndAllocatesNothingPerCall()
    {
        var (store, mlp, input) = Setup(MlpPresets.NgpDensity(), 300, seed: 1);
        ModuleContext ctx = mlp.CreateContext(300, 1);
        float[] output = new float[16 * 300], dOut = RandomFloats(16 * 300, 2), dIn = new float[32 * 300];
        Assert.Throws<InvalidOperationException>(() => mlp.Backward(ctx, dOut, dIn));
        Assert.Throws<ArgumentOutOfRangeException>(() => mlp.Forward(new float[32 * 301], 301, new float[16 * 301], ctx));
        Assert.Throws<ArgumentException>(() => mlp.Forward(input, 300, new float[10], ctx));
        Assert.Throws<ArgumentException>(() => mlp.Forward(input, 300, output, new Mlp(MlpPresets.NgpDensity(), new ParameterStore(), "other").CreateContext(300)));
        mlp.Forward(input, 300, output, ctx);
        Assert.Throws<ArgumentException>(() => mlp.Backward(ctx, dOut, new float[5]));
        mlp.Backward(ctx, dOut, dIn);
        long before = GC.GetAllocatedBytesForCurrentThread();
        mlp.Forward(input, 300, output, ctx);
        mlp.Backward(ctx, dOut, dIn);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        GC.KeepAlive(store);
    }

    /// <summary>13 -> 20 (hidden) -> 17 (hidden) -> 5 (output): every width leaves a block tail.</summary>
    private static MlpConfig Config(Activation hidden, Activation output, bool bias) =>
        new(13, [new MlpLayer(20, hidden), new MlpLayer(17, hidden == Activation.Relu ? Activation.Sigmoid : Activation.Relu), new MlpLayer(5, output)], bias);

    private static (ParameterStore Store, Mlp Mlp, float[] Input) Setup(MlpConfig config, int count, int seed)
    {
        var store = new ParameterStore();
        var mlp = new Mlp(config, store, "net");
        store.Freeze();
        mlp.Initialize(new Rng((ulong)seed + 1));
        var rng = new Rng((ulong)seed + 1000);
        foreach (ParameterTensor t in store.Tensors)
        {
            if (t.Shape.Length == 1)
            {
                Span<float> b = store.ValuesOf(t);
                for (int i = 0; i < b.Length; i++)
                {
                    b[i] = (rng.NextFloat() - 0.5f) * 0.5f;
                }
            }
        }

        return (store, mlp, RandomFloats(config.InputWidth * count, seed + 2000));
    }

    private static void CheckAgainstReference(MlpConfig config, int count, int seed, int threads, bool inputGradient)
    {
        var (store, mlp, input) = Setup(config, count, seed);
        var reference = new MlpReference(config, store, "net");
        MlpContext ctx = mlp.CreateContext(Math.Max(count, 1), threads);
        float[] output = new float[mlp.OutputWidth * count];
        mlp.Forward(input, count, output, ctx);
        double[] expected = reference.Forward(input, count);
        AssertClose(expected, output, 2e-5, $"output (count {count}, {Describe(config)})");

        float[] dOut = RandomFloats(mlp.OutputWidth * count, seed + 3000);
        float[] dIn = inputGradient ? new float[mlp.InputWidth * count] : [];
        store.ZeroGradients();
        mlp.Backward(ctx, dOut, dIn);
        var (dParams, dInput) = reference.Backward(input, count, dOut);
        foreach (ParameterTensor t in store.Tensors)
        {
            AssertClose(dParams.AsSpan(t.Offset, t.Length).ToArray(), store.GradientsOf(t).ToArray(), 2e-5, $"{t.Name} gradient (count {count}, {Describe(config)})");
        }

        if (inputGradient)
        {
            AssertClose(dInput, dIn, 2e-5, $"input gradient (count {count}, {Describe(config)})");
        }
    }

    private static string Describe(MlpConfig config) =>
        $"{config.InputWidth} -> {string.Join(" -> ", config.Layers.Select(l => $"{l.Outputs} {l.Activation}"))}{(config.Bias ? ", bias" : string.Empty)}";

    /// <summary>|actual - expected| &lt;= tolerance x (largest |expected| of the tensor + |expected|).</summary>
    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1e-6;
        foreach (double e in expected)
        {
            scale = Math.Max(scale, Math.Abs(e));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= tolerance * (scale + Math.Abs(expected[i])), $"{what}: [{i}] {actual[i]:G9} vs reference {expected[i]:G9} (largest {scale:G3})");
        }
    }

    /// <summary>Whether moving x[index] by +-eps flips the sign of any ReLU pre-activation (the probe would straddle a kink).</summary>
    private static bool CrossesKink(MlpConfig config, ParameterStore store, float[] x, int index, float[] input, int count, float eps = 1e-3f)
    {
        var reference = new MlpReference(config, store, "net");
        float original = x[index];
        var plus = new List<double[][]>();
        var minus = new List<double[][]>();
        x[index] = original + eps;
        reference.Forward(input, count, plus);
        x[index] = original - eps;
        reference.Forward(input, count, minus);
        x[index] = original;
        for (int i = 0; i < count; i++)
        {
            for (int l = 0; l < config.Layers.Count; l++)
            {
                if (config.Layers[l].Activation != Activation.Relu)
                {
                    continue;
                }

                for (int n = 0; n < plus[i][l].Length; n++)
                {
                    if ((plus[i][l][n] > 0) != (minus[i][l][n] > 0))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static float[] RandomFloats(int n, int seed)
    {
        var rng = new Rng((ulong)seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (2 * rng.NextFloat()) - 1;
        }

        return v;
    }
}
