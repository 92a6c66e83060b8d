using NerfSharp.Encodings;
using NerfSharp.Fields;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Sampling;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Fields;

/// <summary>The nerfacto field's appearance embedding: lookup per sample image, its gradient, and the evaluation fallback.</summary>
public sealed class NerfactoFieldTests
{
    private const int N = 40;

    private static (NerfactoField Field, ParameterStore Store, float[] Positions, float[] Directions, int[] Images) Setup()
    {
        var store = new ParameterStore();
        var field = new NerfactoField(new HashGridConfig(4, 2, 10, 4, 32), SceneSpace.Contracted(ContractionNorm.LInfinity), 3, 5, 16, store, "field", "fields");
        store.Freeze();
        field.Initialize(new Rng(2), store);
        var rng = new Rng(8);
        var positions = new float[3 * N];
        var directions = new float[3 * N];
        var images = new int[N];
        for (int i = 0; i < N; i++)
        {
            positions[i] = (rng.NextFloat() * 4) - 2;
            positions[N + i] = (rng.NextFloat() * 4) - 2;
            positions[(2 * N) + i] = (rng.NextFloat() * 4) - 2;
            directions[i] = 0.6f;
            directions[N + i] = 0f;
            directions[(2 * N) + i] = 0.8f;
            images[i] = i % 4 == 3 ? -1 : i % 3;
        }

        return (field, store, positions, directions, images);
    }

    [Fact]
    public void AppearanceGradientMatchesFiniteDifferences()
    {
        var (field, store, positions, directions, images) = Setup();
        var context = field.CreateContext(N);
        var density = new float[N];
        var rgb = new float[3 * N];
        var fallback = new float[5];
        double[] r = GradientCheck.RandomWeights(3 * N, seed: 5);
        double Loss()
        {
            field.Forward(store, positions, directions, images, fallback, N, density, rgb, context);
            double sum = 0;
            for (int i = 0; i < 3 * N; i++)
            {
                sum += r[i] * rgb[i];
            }

            return sum;
        }

        Loss();
        store.ZeroGradients();
        var dRgb = new float[3 * N];
        for (int i = 0; i < 3 * N; i++)
        {
            dRgb[i] = (float)r[i];
        }

        field.Backward(store, context, new float[N], dRgb, [], []);
        float[] analytic = store.Gradients;
        ParameterTensor a = field.Appearance;
        var result = GradientCheck.Check(store.Values, Loss, analytic, probes: 15, eps: 1e-3, tolerance: 2e-2, floor: 1e-3, skip: i => i < a.Offset || i >= a.Offset + a.Length);
        Assert.Equal(15, result.Probes);
    }

    [Fact]
    public void FallbackEmbeddingIsUsedForSamplesOfNoImageAndTheMeanIsTheMean()
    {
        var (field, store, positions, directions, _) = Setup();
        var context = field.CreateContext(N);
        var density = new float[N];
        var rgbMean = new float[3 * N];
        var rgbRow = new float[3 * N];
        var mean = new float[5];
        field.MeanAppearance(store, mean);
        Span<float> table = store.ValuesOf(field.Appearance);
        Assert.Equal((table[1] + table[6] + table[11]) / 3f, mean[1], 6);

        // Image -1 with the mean as fallback equals a row holding the mean.
        field.Forward(store, positions, directions, Enumerable.Repeat(-1, N).ToArray(), mean, N, density, rgbMean, context);
        mean.CopyTo(table[5..10]);
        field.Forward(store, positions, directions, Enumerable.Repeat(1, N).ToArray(), new float[5], N, density, rgbRow, context);
        Assert.Equal(rgbMean, rgbRow);
    }
}
