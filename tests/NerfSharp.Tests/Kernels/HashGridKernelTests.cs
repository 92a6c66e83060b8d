using NerfSharp.Encodings;
using NerfSharp.Kernels;
using NerfSharp.Modules;
using NerfSharp.Parameters;
using NerfSharp.Tests.Encodings;

namespace NerfSharp.Tests.Kernels;

/// <summary>
/// The hash-grid kernels on every SIMD path (paths the hardware lacks run through .NET's software fallback) give
/// bit-identical outputs and gradients to the scalar path, over every point count 0..257 (every vector tail and block
/// tail) and on the default config; one path per run is also checked against the double reference.
/// </summary>
public sealed class HashGridKernelTests
{
    public static readonly TheoryData<SimdPath> Paths = new() { SimdPath.Vector256, SimdPath.Vector512, SimdPath.Auto };

    [Theory]
    [MemberData(nameof(Paths))]
    public void PathIsBitIdenticalToScalarForEveryCount(SimdPath path)
    {
        var (enc, store) = HashGridEncodingTests.Create(HashGridEncodingTests.Small);
        for (int count = 0; count <= 257; count++)
        {
            AssertSameAsScalar(enc, store, path, count, seed: count);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void PathIsBitIdenticalToScalarOnTheDefaultConfig(SimdPath path)
    {
        var (enc, store) = HashGridEncodingTests.Create(new HashGridConfig());
        AssertSameAsScalar(enc, store, path, 1000, seed: 77);
        AssertSameAsScalar(enc, store, path, 4099, seed: 78);
    }

    [Fact]
    public void AutoPathMatchesReference()
    {
        var (enc, store) = HashGridEncodingTests.Create(HashGridEncodingTests.Small);
        foreach (int count in new[] { 1, 15, 16, 17, 63, 64, 65, 200 })
        {
            HashGridEncodingTests.CompareWithReference(enc, store, count, count, 0.1);
        }
    }

    [Fact]
    public void WorkerRejectsShortSpansAndInvalidLevels()
    {
        var level = new HashGridLevel(0, 64, 4, 3f, Dense: true);
        var worker = new HashGridWorker([level], 2, 1);
        Assert.Equal(128, worker.TableFloats);
        Assert.Throws<ArgumentException>(() => worker.Forward(new float[127], new float[30], 10, new float[20], 1, SimdPath.Auto));
        Assert.Throws<ArgumentException>(() => worker.Forward(new float[128], new float[29], 10, new float[20], 1, SimdPath.Auto));
        Assert.Throws<ArgumentException>(() => worker.Forward(new float[128], new float[30], 10, new float[19], 1, SimdPath.Auto));
        Assert.Throws<ArgumentException>(() => worker.Backward(new float[128], new float[127], new float[30], 10, new float[20], default, default, 1, SimdPath.Auto));
        Assert.Throws<ArgumentException>(() => worker.Backward(new float[128], new float[128], new float[30], 10, new float[20], new float[29], default, 1, SimdPath.Auto));
        worker.Forward(new float[128], new float[30], 10, new float[20], 1, SimdPath.Auto);

        // Dense with R^3 > T, dense with R < ceil(scale) + 1, hashed with a table that is not a power of two.
        Assert.Throws<ArgumentException>(() => new HashGridWorker([level with { TableSize = 63 }], 2, 1));
        Assert.Throws<ArgumentException>(() => new HashGridWorker([level with { Scale = 3.5f }], 2, 1));
        Assert.Throws<ArgumentException>(() => new HashGridWorker([level with { Dense = false, TableSize = 48 }], 2, 1));
    }

    private static void AssertSameAsScalar(HashGridEncoding enc, ParameterStore store, SimdPath path, int count, int seed)
    {
        float[] input = HashGridEncodingTests.RandomPoints(count, seed, 0.1);
        float[] dOut = HashGridEncodingTests.ToFloats(NerfSharp.Tests.Testing.GradientCheck.RandomWeights(enc.OutputWidth * count, seed + 3));
        var a = Run(enc, store, SimdPath.Scalar, input, dOut, count);
        var b = Run(enc, store, path, input, dOut, count);
        Assert.Equal(a.Output, b.Output);
        Assert.Equal(a.DInput, b.DInput);
        Assert.Equal(a.Grads, b.Grads);
    }

    private static (float[] Output, float[] DInput, float[] Grads) Run(HashGridEncoding enc, ParameterStore store, SimdPath path, float[] input, float[] dOut, int count)
    {
        enc.Path = path;
        ModuleContext ctx = enc.CreateContext(count);
        var output = new float[enc.OutputWidth * count];
        enc.Forward(input, count, output, ctx);
        store.ZeroGradients();
        var dInput = new float[3 * count];
        enc.Backward(ctx, dOut, dInput);
        return (output, dInput, store.Gradients.ToArray());
    }
}
