using NerfSharp.Encodings;
using NerfSharp.Modules;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Encodings;

/// <summary>
/// The hash encoding against the double reference (outputs and both gradients), finite differences, hand-computed
/// golden values, determinism and the module contract. SIMD-path equality is in
/// <see cref="Kernels.HashGridKernelTests"/>.
/// </summary>
public sealed class HashGridEncodingTests
{
    /// <summary>4 levels, scales 3, 7, 15, 31 (b = 2), resolutions 4, 8, 16, 32, tables of at most 2^10: levels 0-1 dense, 2-3 hashed.</summary>
    internal static readonly HashGridConfig Small = new(Levels: 4, FeaturesPerLevel: 2, Log2TableSize: 10, BaseResolution: 4, MaxResolution: 32);

    [Fact]
    public void SmallConfigHasDenseAndHashedLevels()
    {
        // b = exp((ln 32 - ln 4) / 3) = 2; s_l = 4 * 2^l - 1 = 3, 7, 15, 31; R_l = s_l + 1 = 4, 8, 16, 32.
        // R^3 = 64, 512, 4096, 32768 against 2^10 = 1024: levels 0, 1 dense (T = 64, 512), levels 2, 3 hashed (T = 1024).
        int[] r = [4, 8, 16, 32];
        int[] t = [64, 512, 1024, 1024];
        for (int l = 0; l < 4; l++)
        {
            Assert.Equal((4 << l) - 1, HashGridEncoding.LevelScale(Small, l), 4);
            Assert.Equal(r[l], HashGridEncoding.LevelResolution(Small, l));
            Assert.Equal(t[l], HashGridEncoding.LevelTableSize(Small, l));
            Assert.Equal(l < 2, HashGridEncoding.IsDenseLevel(Small, l));
        }
    }

    [Fact]
    public void DefaultConfigLevelsAreInstantNgps()
    {
        var c = new HashGridConfig();

        // b = exp((ln 2048 - ln 16) / 15) = 128^(1/15) = 2^(7/15) = 1.38191288; s_l = 16 * 2^(7 l / 15) - 1.
        Assert.Equal(1.3819128799677762, HashGridEncoding.GrowthFactor(c), 12);

        // l: 2^(7l/15)     s_l        R_l = ceil(s_l) + 1   R^3          T_l = min(R^3 up to x8, 2^19)
        // 0: 1             15         16                    4096         4096    dense
        // 1: 1.3819129     21.110606  23                    12167        12168   dense
        // 2: 1.9096834     29.554932  31                    29791        29792   dense
        // 3: 2.6390158     41.224255  43                    79507        79512   dense
        // 4: 3.6468900     57.350239  59                    205379       205384  dense
        // 5: 5.0396842     79.634949  81                    531441       524288  hashed (531441 > 2^19)
        // 15: 2^7 = 128    2047       2048                  2^33         524288  hashed
        double[] scales = [15, 21.110606, 29.554932, 41.224255, 57.350239, 79.634949, 110.430473, 152.987198, 211.796906, 293.066772, 405.374664, 560.574402, 775.046875, 1071.429199, 1481.003662, 2047];
        int[] res = [16, 23, 31, 43, 59, 81, 112, 154, 213, 295, 407, 562, 777, 1073, 1483, 2048];
        int[] dense = [4096, 12168, 29792, 79512, 205384];
        for (int l = 0; l < 16; l++)
        {
            Assert.Equal(scales[l], HashGridEncoding.LevelScale(c, l), 3);
            Assert.Equal(res[l], HashGridEncoding.LevelResolution(c, l));
            Assert.Equal(l < 5, HashGridEncoding.IsDenseLevel(c, l));
            Assert.Equal(l < 5 ? dense[l] : 1 << 19, HashGridEncoding.LevelTableSize(c, l));
        }

        // 4096 + 12168 + 29792 + 79512 + 205384 + 11 * 524288 = 330952 + 5767168 = 6098120 entries of 2 floats.
        var store = new ParameterStore();
        var enc = new HashGridEncoding(c, store, "field");
        Assert.Equal(6098120, enc.TotalEntries);
        Assert.Equal(2 * 6098120, enc.ParameterCount);
        Assert.Equal(32, enc.OutputWidth);
        ParameterTensor t = store["field.embeddings"];
        Assert.Equal([6098120, 2], t.Shape);
        Assert.Equal("encoding", t.Group);
        Assert.Equal(4096 + 12168, enc.LevelLayout[2].Offset);
    }

    [Fact]
    public void GoldenCornerIndices()
    {
        var c = new HashGridConfig();

        // Dense level 1 (R = 23, T = 12168): (3, 5, 7) -> 3 + 5 * 23 + 7 * 23^2 = 3 + 115 + 3703 = 3821.
        Assert.Equal(3821u, HashGridEncoding.GridIndex(c, 1, 3, 5, 7));

        // Dense level 0 (R = 16, T = 4096): (16, 15, 15) -> 16 + 15 * 16 + 15 * 256 = 4096, wraps to 0 (mod T).
        Assert.Equal(0u, HashGridEncoding.GridIndex(c, 0, 16, 15, 15));
        Assert.Equal(4095u, HashGridEncoding.GridIndex(c, 0, 15, 15, 15));

        // Hashed level 5 (T = 2^19): (1, 2, 3) -> 1 ^ (2 * 2654435761 mod 2^32 = 0x3C6EF362) ^ (3 * 805459861 = 0x900706BF)
        // = 0xAC69F5DC; & 0x7FFFF = 0x1F5DC = 128476.
        Assert.Equal(128476u, HashGridEncoding.GridIndex(c, 5, 1, 2, 3));

        // Hashed level 15: (100, 200, 300) -> 100 ^ 0x9B571248 ^ 0x42BEA29C = 0xD9E9B0B0; & 0x7FFFF = 0x1B0B0 = 110768.
        Assert.Equal(110768u, HashGridEncoding.GridIndex(c, 15, 100, 200, 300));

        // The reference's literal grid_index agrees.
        var levels = HashGridReference.Levels(c);
        Assert.Equal(3821u, HashGridReference.Index(levels[1], [3, 5, 7]));
        Assert.Equal(128476u, HashGridReference.Index(levels[5], [1, 2, 3]));
    }

    [Fact]
    public void GoldenForwardValues()
    {
        // Small config, F = 2, entry e of the table holds (e, -e) (global entry index).
        var (enc, store) = Create(Small);
        Span<float> v = store.ValuesOf(enc.Embeddings);
        for (int e = 0; e < enc.TotalEntries; e++)
        {
            v[2 * e] = e;
            v[(2 * e) + 1] = -e;
        }

        // Point (0.5, 0.5, 0.5), level 0 (scale 3): p = 3 * 0.5 + 0.5 = 2 exactly, frac 0: vertex (2, 2, 2) = 2 + 2 * 4 + 2 * 16 = 42.
        // Point (0.25, 0.5, 0.5): p_x = 1.25 -> cells x = 1, 2 with weights 0.75, 0.25: 0.75 * (1 + 8 + 32) + 0.25 * 42 = 41.25.
        // Level 1 (scale 7, offset 64) at (0.5, 0.5, 0.5): p = 4 -> vertex (4,4,4) = 4 + 32 + 256 = 292, global 64 + 292 = 356.
        float[] input = [0.5f, 0.25f, 0.5f, 0.5f, 0.5f, 0.5f];
        var output = new float[enc.OutputWidth * 2];
        ModuleContext ctx = enc.CreateContext(2);
        enc.Forward(input, 2, output, ctx);
        Assert.Equal(42f, output[0]);
        Assert.Equal(41.25f, output[1]);
        Assert.Equal(-42f, output[2]);
        Assert.Equal(356f, output[4]);
    }

    [Fact]
    public void MatchesReferenceForEveryCountUpTo257()
    {
        var (enc, store) = Create(Small);
        for (int count = 0; count <= 257; count++)
        {
            CompareWithReference(enc, store, count, seed: count, outsideFraction: 0.1);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void MatchesReferenceOnThousandsOfPointsForFeatureCounts(int features)
    {
        var (enc, store) = Create(Small with { FeaturesPerLevel = features });
        CompareWithReference(enc, store, 3001, seed: 5, outsideFraction: 0.05);
        CompareWithReference(enc, store, 5000, seed: 6, outsideFraction: 0);
    }

    [Fact]
    public void MatchesReferenceForTheDefaultConfig()
    {
        var (enc, store) = Create(new HashGridConfig());
        CompareWithReference(enc, store, 2500, seed: 8, outsideFraction: 0.02);
    }

    [Fact]
    public void ParameterGradientMatchesFiniteDifferences()
    {
        var (enc, store) = Create(Small);
        int count = 40;
        float[] input = RandomPoints(count, 3, 0);
        double[] r = GradientCheck.RandomWeights(enc.OutputWidth * count);
        float[] dOut = ToFloats(r);
        ModuleContext ctx = enc.CreateContext(count);
        enc.Forward(input, count, new float[enc.OutputWidth * count], ctx);
        store.ZeroGradients();
        enc.Backward(ctx, dOut, default);
        float[] values = store.Values;
        float[] analytic = store.Gradients.ToArray();
        double Loss() => Dot(HashGridReference.Forward(Small, values, input, count), r);
        GradientCheck.Check(values, Loss, analytic, probes: 64, eps: 1e-2, tolerance: 1e-4, skip: i => analytic[i] == 0);
    }

    [Fact]
    public void PositionGradientMatchesFiniteDifferences()
    {
        var (enc, store) = Create(Small);
        int count = 24;
        float[] input = PointsAwayFromFaces(count, seed: 9, margin: 0.1);
        double[] r = GradientCheck.RandomWeights(enc.OutputWidth * count);
        ModuleContext ctx = enc.CreateContext(count);
        enc.Forward(input, count, new float[enc.OutputWidth * count], ctx);
        var dInput = new float[3 * count];
        enc.Backward(ctx, ToFloats(r), dInput);
        float[] values = store.Values;

        // Finest cell width is 1/31; eps = 1e-3 moves p by at most 0.031 of a cell, inside the 0.1 margin.
        double Loss() => Dot(HashGridReference.Forward(Small, values, input, count), r);
        GradientCheck.Check(input, Loss, dInput, probes: 3 * count, eps: 1e-3, tolerance: 2e-3, floor: 1e-3);
    }

    [Fact]
    public void PointsOutsideTheCubeAreClampedWithZeroGradient()
    {
        var (enc, _) = Create(Small);
        float[] outside = [-0.5f, 1.5f, float.NaN, float.PositiveInfinity, 0.3f, 0.3f, float.NegativeInfinity, 2f, 0.7f];
        float[] clamped = [0f, 1f, 0f, 1f, 0.3f, 0.3f, 0f, 1f, 0.7f];
        var a = new float[enc.OutputWidth * 3];
        var b = new float[enc.OutputWidth * 3];
        ModuleContext ctx = enc.CreateContext(3);
        enc.Forward(clamped, 3, b, ctx);
        enc.Forward(outside, 3, a, ctx);
        Assert.Equal(b, a);
        var dInput = new float[9];
        enc.Backward(ctx, Enumerable.Repeat(1f, enc.OutputWidth * 3).ToArray(), dInput);
        Assert.Equal(0f, dInput[0]);
        Assert.Equal(0f, dInput[1]);
        Assert.Equal(0f, dInput[2]);
        Assert.Equal(0f, dInput[6]);
        Assert.Equal(0f, dInput[7]);
        Assert.NotEqual(0f, dInput[8]);
    }

    [Fact]
    public void RunsAreBitIdenticalAndIndependentOfThreadCount()
    {
        // The default config with enough points that the big tables are streamed in first and both threads work.
        var (enc, store) = Create(new HashGridConfig());
        int count = 140_000;
        float[] input = RandomPoints(count, 21, 0.01);
        float[] dOut = ToFloats(GradientCheck.RandomWeights(32 * count, 22));
        var (o1, g1, d1) = RunOnce(enc, store, input, dOut, threads: 2);
        var (o2, g2, d2) = RunOnce(enc, store, input, dOut, threads: 2);
        var (o3, g3, d3) = RunOnce(enc, store, input, dOut, threads: 1);
        Assert.Equal(o1, o2);
        Assert.True(g1.AsSpan().SequenceEqual(g2));
        Assert.Equal(d1, d2);
        Assert.Equal(o1, o3);
        Assert.True(g1.AsSpan().SequenceEqual(g3));
        Assert.Equal(d1, d3);
        Assert.Contains(g1, g => g != 0);
    }

    [Fact]
    public void BackwardAccumulatesParameterGradientsAndOverwritesInputGradient()
    {
        var (enc, store) = Create(Small);
        int count = 300;
        float[] input = RandomPoints(count, 31, 0);
        float[] dOut = ToFloats(GradientCheck.RandomWeights(enc.OutputWidth * count, 32));
        ModuleContext ctx = enc.CreateContext(count + 77);
        enc.Forward(input, count, new float[enc.OutputWidth * count], ctx);
        store.ZeroGradients();
        var d1 = new float[3 * count];
        enc.Backward(ctx, dOut, d1);
        float[] once = store.Gradients.ToArray();
        var d2 = Enumerable.Repeat(123f, 3 * count).ToArray();
        enc.Backward(ctx, dOut, d2);
        Assert.Equal(d1, d2);
        var (_, refInput) = HashGridReference.Backward(Small, store.Values, input, count, dOut);
        AssertClose(refInput, d1, 1e-3, "dL/dx in a larger context");
        float[] twice = store.Gradients;
        for (int i = 0; i < once.Length; i++)
        {
            Assert.True(Math.Abs(twice[i] - (2 * once[i])) <= 1e-5 * (1 + Math.Abs(once[i])), $"entry {i}: {twice[i]} vs 2 x {once[i]}");
        }
    }

    [Fact]
    public void InferMatchesForwardAndLeavesTheSavedBatch()
    {
        var (enc, store) = Create(Small);
        float[] a = RandomPoints(500, 41, 0);
        float[] b = RandomPoints(700, 42, 0);
        ModuleContext ctx = enc.CreateContext(500);
        var fa = new float[enc.OutputWidth * 500];
        enc.Forward(a, 500, fa, ctx);
        var ib = new float[enc.OutputWidth * 700];
        enc.Infer(b, 700, ib, ctx);
        var fb = new float[enc.OutputWidth * 700];
        ModuleContext big = enc.CreateContext(700);
        enc.Forward(b, 700, fb, big);
        Assert.Equal(fb, ib);

        // Backward still sees batch a.
        float[] dOut = ToFloats(GradientCheck.RandomWeights(enc.OutputWidth * 500, 43));
        store.ZeroGradients();
        var dIn = new float[1500];
        enc.Backward(ctx, dOut, dIn);
        var (_, refInput) = HashGridReference.Backward(Small, store.Values, a, 500, dOut);
        AssertClose(refInput, dIn, 1e-3, "dL/dx after Infer");
    }

    [Fact]
    public void InitializeIsUniformInInstantNgpsRange()
    {
        var (enc, store) = Create(Small);
        enc.Initialize(new Rng(3));
        Span<float> v = store.ValuesOf(enc.Embeddings);
        float min = float.MaxValue, max = float.MinValue;
        foreach (float x in v)
        {
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }

        Assert.InRange(min, -1e-4f, -0.9e-4f);
        Assert.InRange(max, 0.9e-4f, 1e-4f);
    }

    internal static (HashGridEncoding Encoding, ParameterStore Store) Create(HashGridConfig config, int seed = 1)
    {
        var store = new ParameterStore();
        var enc = new HashGridEncoding(config, store, "grid");
        store.Freeze();
        var rng = new Rng((ulong)seed);
        Span<float> v = store.ValuesOf(enc.Embeddings);
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = (2 * rng.NextFloat()) - 1;
        }

        return (enc, store);
    }

    /// <summary>Uniform points in [0,1]^3, [3][count]; a fraction of the coordinates pushed outside the cube.</summary>
    internal static float[] RandomPoints(int count, int seed, double outsideFraction)
    {
        var rng = new Rng((ulong)seed + 1000);
        var p = new float[3 * count];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = rng.NextFloat();
            if (rng.NextDouble() < outsideFraction)
            {
                p[i] = (3 * p[i]) - 1;
            }
        }

        if (count > 2)
        {
            p[0] = 0f;
            p[count + 1] = 1f;
        }

        return p;
    }

    /// <summary>
    /// Compares the encoding (its configured path and threads) with the double reference: outputs, parameter gradients
    /// (accumulated onto a non-zero start) and position gradients.
    /// </summary>
    internal static void CompareWithReference(HashGridEncoding enc, ParameterStore store, int count, int seed, double outsideFraction)
    {
        HashGridConfig c = enc.Config;
        float[] input = RandomPoints(count, seed, outsideFraction);
        float[] dOut = ToFloats(GradientCheck.RandomWeights(enc.OutputWidth * count, seed + 7));
        ModuleContext ctx = enc.CreateContext(count);
        var output = new float[enc.OutputWidth * count];
        enc.Forward(input, count, output, ctx);
        double[] expected = HashGridReference.Forward(c, store.Values, input, count);
        AssertClose(expected, output, 1e-5, $"output (count {count})");

        Span<float> grads = store.GradientsOf(enc.Embeddings);
        grads.Fill(0.5f);
        var dInput = new float[3 * count];
        enc.Backward(ctx, dOut, dInput);
        var (refParams, refInput) = HashGridReference.Backward(c, store.Values, input, count, dOut);
        for (int i = 0; i < grads.Length; i++)
        {
            double want = 0.5 + refParams.GetValueOrDefault(i);
            Assert.True(Math.Abs(grads[i] - want) <= 1e-5 * (1 + Math.Abs(want)), $"dL/dparam {i} (count {count}): {grads[i]} vs {want}");
        }

        // dL/dx sums terms of size scale |entry| |g| (scale up to 2047): compare relative to the finest scale.
        double scale = HashGridEncoding.LevelScale(c, c.Levels - 1);
        AssertClose(refInput, dInput, 2e-5 * scale * c.FeaturesPerLevel, $"dL/dx (count {count})");
    }

    internal static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs {expected[i]}");
        }
    }

    internal static float[] ToFloats(double[] x) => x.Select(v => (float)v).ToArray();

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>Points whose grid position on every level of <see cref="Small"/> has frac in [margin, 1 - margin].</summary>
    private static float[] PointsAwayFromFaces(int count, int seed, double margin)
    {
        var rng = new Rng((ulong)seed);
        var p = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            for (int d = 0; d < 3; d++)
            {
                while (true)
                {
                    float x = rng.NextFloat();
                    bool ok = true;
                    for (int l = 0; l < Small.Levels && ok; l++)
                    {
                        float pos = MathF.FusedMultiplyAdd(HashGridEncoding.LevelScale(Small, l), x, 0.5f);
                        float f = pos - MathF.Floor(pos);
                        ok = f >= margin && f <= 1 - margin;
                    }

                    if (ok)
                    {
                        p[(d * count) + i] = x;
                        break;
                    }
                }
            }
        }

        return p;
    }

    private static (float[] Output, float[] Grads, float[] DInput) RunOnce(HashGridEncoding enc, ParameterStore store, float[] input, float[] dOut, int threads)
    {
        enc.Threads = threads;
        store.ZeroGradients();
        int count = input.Length / 3;
        ModuleContext ctx = enc.CreateContext(count);
        var output = new float[enc.OutputWidth * count];
        enc.Forward(input, count, output, ctx);
        var dInput = new float[3 * count];
        enc.Backward(ctx, dOut, dInput);
        return (output, store.Gradients.ToArray(), dInput);
    }
}
