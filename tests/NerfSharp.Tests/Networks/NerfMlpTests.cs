using NerfSharp.Parameters;
using NerfSharp.IO;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;

namespace NerfSharp.Tests.Networks;

/// <summary>NerfMlp: parameter names, initialisation, finite-difference gradients, nerf-pytorch golden values, determinism.</summary>
public sealed class NerfMlpTests
{
    private const double Eps = 1e-3;

    [Fact]
    public void RegistersNerfPytorchNamesAndShapes()
    {
        var store = new ParameterStore();
        var mlp = new NerfMlp(new NerfMlpConfig(), store, "coarse");
        Assert.Equal(90, mlp.InputWidth);
        string[] expected =
        [
            .. Enumerable.Range(0, 8).SelectMany(i => new[] { $"coarse.pts_linears.{i}.weight", $"coarse.pts_linears.{i}.bias" }),
            "coarse.views_linears.0.weight", "coarse.views_linears.0.bias", "coarse.feature_linear.weight", "coarse.feature_linear.bias",
            "coarse.alpha_linear.weight", "coarse.alpha_linear.bias", "coarse.rgb_linear.weight", "coarse.rgb_linear.bias",
        ];
        Assert.Equal(expected, store.Tensors.Select(t => t.Name));
        Assert.Equal([256, 63], store["coarse.pts_linears.0.weight"].Shape);
        Assert.Equal([256, 319], store["coarse.pts_linears.5.weight"].Shape);
        Assert.Equal([128, 283], store["coarse.views_linears.0.weight"].Shape);
        Assert.Equal([1, 256], store["coarse.alpha_linear.weight"].Shape);
        Assert.Equal([3, 128], store["coarse.rgb_linear.weight"].Shape);
        Assert.All(store.Tensors, t => Assert.Equal("default", t.Group));

        var bare = new ParameterStore();
        var plain = new NerfMlp(new NerfMlpConfig(Depth: 2, Width: 8, PointChannels: 3, Skip: -1, UseViewDirs: false), bare, "");
        Assert.Equal(3, plain.InputWidth);
        Assert.Equal(["pts_linears.0.weight", "pts_linears.0.bias", "pts_linears.1.weight", "pts_linears.1.bias", "output_linear.weight", "output_linear.bias"], bare.Tensors.Select(t => t.Name));
        Assert.Equal([4, 8], bare["output_linear.weight"].Shape);
        Assert.Throws<ArgumentException>(() => new NerfMlp(new NerfMlpConfig(Depth: 4, Skip: 3), new ParameterStore(), "x"));
    }

    [Fact]
    public void InitializeDrawsPyTorchLinearDefaults()
    {
        var store = new ParameterStore();
        var mlp = new NerfMlp(new NerfMlpConfig(), store, "fine");
        store.Freeze();
        mlp.Initialize(new Rng(3));
        foreach (ParameterTensor t in store.Tensors)
        {
            int fanIn = store[t.Name.Replace(".bias", ".weight", StringComparison.Ordinal)].Shape[1];
            float bound = 1f / MathF.Sqrt(fanIn);
            Span<float> v = store.ValuesOf(t);
            float max = 0;
            foreach (float x in v)
            {
                Assert.True(Math.Abs(x) <= bound, $"{t.Name}: {x} outside +-{bound}");
                max = Math.Max(max, Math.Abs(x));
            }

            if (v.Length >= 256)
            {
                Assert.True(max > 0.9f * bound, $"{t.Name}: values do not fill +-{bound}");
            }
        }
    }

    public static readonly TheoryData<NerfMlpConfig, int> SmallConfigs = new()
    {
        { new NerfMlpConfig(Depth: 4, Width: 16, PointChannels: 5, ViewChannels: 3, Skip: 2), 13 },
        { new NerfMlpConfig(Depth: 4, Width: 20, PointChannels: 7, ViewChannels: 4, Skip: 1), 100 },
        { new NerfMlpConfig(Depth: 3, Width: 18, PointChannels: 6, Skip: -1, UseViewDirs: false), 31 },
    };

    [Theory]
    [MemberData(nameof(SmallConfigs))]
    public void GradientsMatchFiniteDifferencesOfDoubleReference(NerfMlpConfig config, int count)
    {
        var store = new ParameterStore();
        var mlp = new NerfMlp(config, store, "m");
        store.Freeze();
        mlp.Initialize(new Rng(5));
        var reference = new NerfMlpReference(config, store, "m");
        var rng = new Rng(9);
        float[] input = new float[mlp.InputWidth * count];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (2 * rng.NextFloat()) - 1;
        }

        double[] r = GradientCheck.RandomWeights(NerfMlp.OutputWidth * count, seed: count);
        float[] dOut = r.Select(v => (float)v).ToArray();
        float[] output = new float[NerfMlp.OutputWidth * count];
        NerfMlpWorkspace ws = mlp.CreateWorkspace(count + 5, threads: 2);
        mlp.Forward(input, count, output, ws);

        // The float forward agrees with the double reference.
        double loss = 0;
        for (int i = 0; i < output.Length; i++)
        {
            loss += output[i] * r[i];
        }

        Assert.Equal(reference.Loss(input, count, r), loss, 1e-4 * count);

        store.ZeroGradients();
        float[] dInput = new float[input.Length];
        mlp.Backward(ws, dOut, dInput);
        float[] analytic = (float[])store.Gradients.Clone();

        Func<double> lossFn = () => reference.Loss(input, count, r);
        // Probe candidates are drawn first so that the (costly) kink test runs only on them.
        HashSet<int> parameterCandidates = Candidates(store.Count, 300, seed: 1), inputCandidates = Candidates(input.Length, 200, seed: 2);
        GradientCheck.Check(store.Values, lossFn, analytic, probes: 150, eps: Eps, tolerance: 2e-3, floor: 1e-5, skip: i => !parameterCandidates.Contains(i) || CrossesKink(store.Values, i, reference, input, count));
        GradientCheck.Check(input, lossFn, dInput, probes: 100, eps: Eps, tolerance: 2e-3, floor: 1e-5, skip: i => !inputCandidates.Contains(i) || CrossesKink(input, i, reference, input, count));

        // Backward accumulates.
        mlp.Backward(ws, dOut, default);
        for (int i = 0; i < analytic.Length; i++)
        {
            Assert.Equal(2 * analytic[i], store.Gradients[i], 1e-5 * (1 + Math.Abs(analytic[i])));
        }
    }

    [Fact]
    public void MatchesNerfPytorchGoldenForwardAndGradients()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("mlp"));
        var store = new ParameterStore();
        var mlp = new NerfMlp(new NerfMlpConfig(), store, "");
        store.Freeze();
        foreach (string name in golden.Names.Where(n => n.StartsWith("param.", StringComparison.Ordinal)))
        {
            ParameterTensor t = store[name["param.".Length..]];
            Assert.Equal(t.Shape, golden[name].Shape);
            golden[name].ToFloats().CopyTo(store.ValuesOf(t));
        }

        int count = golden["input"].Shape[0];
        Assert.Equal(90, golden["input"].Shape[1]);
        float[] input = Transpose(golden["input"].ToDoubles(), count, 90);
        float[] output = new float[4 * count];
        NerfMlpWorkspace ws = mlp.CreateWorkspace(count);
        mlp.Forward(input, count, output, ws);
        AssertClose(Transpose(golden["output"].ToDoubles(), count, 4), output, "output");

        store.ZeroGradients();
        float[] dInput = new float[input.Length];
        mlp.Backward(ws, Transpose(golden["g_output"].ToDoubles(), count, 4), dInput);
        AssertClose(Transpose(golden["grad.input"].ToDoubles(), count, 90), dInput, "grad.input");
        int checkedTensors = 0;
        foreach (ParameterTensor t in store.Tensors)
        {
            AssertClose(golden["grad." + t.Name].ToFloats(), store.GradientsOf(t).ToArray(), "grad." + t.Name);
            checkedTensors++;
        }

        Assert.Equal(24, checkedTensors);
    }

    [Fact]
    public void ResultsAreBitIdenticalRunToRun()
    {
        var config = new NerfMlpConfig(Width: 64);
        int count = 1000;
        var store = new ParameterStore();
        var mlp = new NerfMlp(config, store, "coarse");
        store.Freeze();
        mlp.Initialize(new Rng(1));
        var rng = new Rng(2);
        float[] input = Enumerable.Range(0, mlp.InputWidth * count).Select(_ => (2 * rng.NextFloat()) - 1).ToArray();
        float[] dOut = Enumerable.Range(0, 4 * count).Select(_ => (2 * rng.NextFloat()) - 1).ToArray();

        (float[] Output, float[] Gradients, float[] DInput) Run(NerfMlpWorkspace ws)
        {
            float[] output = new float[4 * count];
            float[] dInput = new float[input.Length];
            store.ZeroGradients();
            mlp.Forward(input, count, output, ws);
            mlp.Backward(ws, dOut, dInput);
            return (output, (float[])store.Gradients.Clone(), dInput);
        }

        NerfMlpWorkspace shared = mlp.CreateWorkspace(count, threads: 2);
        Assert.Equal(2, shared.Threads);
        var a = Run(shared);
        var b = Run(shared);
        var c = Run(mlp.CreateWorkspace(count + 100, threads: 2));
        foreach (var other in new[] { b, c })
        {
            Assert.Equal(Bits(a.Output), Bits(other.Output));
            Assert.Equal(Bits(a.Gradients), Bits(other.Gradients));
            Assert.Equal(Bits(a.DInput), Bits(other.DInput));
        }

        // Gradient partials belong to fixed chunks of tiles, not to threads: one thread gives the same bits.
        var single = Run(mlp.CreateWorkspace(count, threads: 1));
        Assert.Equal(Bits(a.Output), Bits(single.Output));
        Assert.Equal(Bits(a.Gradients), Bits(single.Gradients));
        Assert.Equal(Bits(a.DInput), Bits(single.DInput));
    }

    [Fact]
    public void HandlesEmptyBatchesAndRejectsMisuse()
    {
        var store = new ParameterStore();
        var mlp = new NerfMlp(new NerfMlpConfig(Depth: 2, Width: 8, PointChannels: 3, ViewChannels: 3, Skip: 0), store, "m");
        store.Freeze();
        mlp.Initialize(new Rng(1));
        NerfMlpWorkspace ws = mlp.CreateWorkspace(10);
        Assert.Throws<InvalidOperationException>(() => mlp.Backward(ws, new float[40], default));
        mlp.Forward(default, 0, default, ws);
        mlp.Backward(ws, default, default);
        Assert.All(store.Gradients, g => Assert.Equal(0f, g));
        Assert.Throws<ArgumentOutOfRangeException>(() => mlp.Forward(new float[6 * 11], 11, new float[44], ws));
        Assert.Throws<ArgumentException>(() => mlp.Forward(new float[6 * 5], 10, new float[40], ws));
        var other = new NerfMlp(new NerfMlpConfig(Depth: 2, Width: 8, PointChannels: 3, ViewChannels: 3, Skip: 0), new ParameterStore(), "m");
        Assert.Throws<ArgumentException>(() => other.Forward(new float[60], 10, new float[40], ws));
    }

    private static HashSet<int> Candidates(int n, int take, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(take).ToHashSet();
    }

    /// <summary>True when moving buffer[i] by +-eps flips the sign of any ReLU pre-activation (a finite difference across a kink).</summary>
    private static bool CrossesKink(float[] buffer, int i, NerfMlpReference reference, float[] input, int count)
    {
        float original = buffer[i];
        buffer[i] = (float)(original + Eps);
        List<double> plus = PreActivations(reference, input, count);
        buffer[i] = (float)(original - Eps);
        List<double> minus = PreActivations(reference, input, count);
        buffer[i] = original;
        for (int j = 0; j < plus.Count; j++)
        {
            if (plus[j] > 0 != minus[j] > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static List<double> PreActivations(NerfMlpReference reference, float[] input, int count)
    {
        int width = input.Length / count;
        var all = new List<double>();
        var x = new double[width];
        for (int q = 0; q < count; q++)
        {
            for (int f = 0; f < width; f++)
            {
                x[f] = input[(f * count) + q];
            }

            reference.Forward(x, all);
        }

        return all;
    }

    private static float[] Transpose(double[] rowMajor, int rows, int columns)
    {
        var t = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                t[(c * rows) + r] = (float)rowMajor[(r * columns) + c];
            }
        }

        return t;
    }

    /// <summary>Float kernels vs float64 golden: 1e-4 relative, with an absolute floor of 1e-4 of the tensor's RMS (or 1e-5) near zero.</summary>
    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double rms = Math.Sqrt(expected.Sum(v => (double)v * v) / Math.Max(1, expected.Length));
        double floor = Math.Max(1e-5, 1e-4 * rms);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = (1e-4 * Math.Abs(expected[i])) + floor;
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:G9}, got {actual[i]:G9}");
            }
        }
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
