using NerfSharp.Encodings;
using NerfSharp.Fields;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

namespace NerfSharp.Tests.Fields;

public sealed class NgpFieldTests
{
    [Fact]
    public void ReusingTheDensityPassGivesTheSameOutputsAndGradientsAsAFullForward()
    {
        const int total = 301;
        var rng = new Rng(7);
        var (field, store) = Field();
        field.Initialize(rng);

        // Every other point, plus a run of neighbours, is kept.
        var keptFrom = new List<int>();
        for (int i = 0; i < total; i++)
        {
            if (i % 2 == 0 || (i > 100 && i < 140))
            {
                keptFrom.Add(i);
            }
        }

        int n = keptFrom.Count;
        float[] all = RandomColumns(rng, 3, total, 0, 1);
        float[] kept = Gather(all, total, keptFrom);
        float[] directions = Normalised(RandomColumns(rng, 3, n, -1, 1), n);
        float[] dLdDensity = RandomColumns(rng, 1, n, -1, 1);
        float[] dLdRgb = RandomColumns(rng, 3, n, -1, 1);

        // Reference: a full forward on the kept points.
        var a = field.CreateContext(total);
        float[] densityA = new float[n], rgbA = new float[3 * n];
        field.Forward(kept, directions, n, densityA, rgbA, a);
        store.ZeroGradients();
        field.Backward(a, dLdDensity, dLdRgb);
        float[] gradA = (float[])store.Gradients.Clone();

        // Density pass over all points, then the kept subset reusing its hash features.
        var b = field.CreateContext(total);
        float[] densityAll = new float[total];
        field.Density(all, total, densityAll, b);
        float[] densityB = new float[n], rgbB = new float[3 * n];
        field.ForwardFromDensityPass([.. keptFrom], kept, directions, n, densityB, rgbB, b);
        store.ZeroGradients();
        field.Backward(b, dLdDensity, dLdRgb);

        Assert.Equal(densityA, densityB);
        Assert.Equal(rgbA, rgbB);
        Assert.Equal(gradA, store.Gradients);
        Assert.Contains(gradA, g => g != 0);
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(densityAll[keptFrom[j]], densityB[j]);
        }
    }

    [Fact]
    public void ReuseRefusesIndicesThatAreNotAnIncreasingSubset()
    {
        var (field, _) = Field();
        field.Initialize(new Rng(1));
        var context = field.CreateContext(8);
        float[] positions = new float[3 * 8];
        field.Density(positions, 8, new float[8], context);
        float[] d = new float[4], rgb = new float[12], dirs = new float[12];
        Assert.Throws<ArgumentException>(() => field.ForwardFromDensityPass([0, 2, 1, 3], positions, dirs, 4, d, rgb, context));
        field.Density(positions, 8, new float[8], context);
        Assert.Throws<ArgumentException>(() => field.ForwardFromDensityPass([0, 2, 5, 8], positions, dirs, 4, d, rgb, context));

        // Without a density pass first there is nothing to reuse.
        field.Forward(positions, dirs, 4, d, rgb, context);
        Assert.Throws<ArgumentException>(() => field.ForwardFromDensityPass([0, 1, 2, 3], positions, dirs, 4, d, rgb, context));
    }

    private static (NgpField Field, ParameterStore Store) Field()
    {
        var store = new ParameterStore();
        var field = new NgpField(new HashGridConfig(Levels: 6, Log2TableSize: 12, BaseResolution: 4, MaxResolution: 96), new SceneBox(-1, -1, -1, 1, 1, 1), store);
        store.Freeze();
        return (field, store);
    }

    private static float[] RandomColumns(Rng rng, int rows, int count, float lo, float hi)
    {
        float[] x = new float[rows * count];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = lo + ((hi - lo) * rng.NextFloat());
        }

        return x;
    }

    private static float[] Gather(float[] columns, int count, List<int> index)
    {
        int n = index.Count;
        float[] x = new float[3 * n];
        for (int r = 0; r < 3; r++)
        {
            for (int j = 0; j < n; j++)
            {
                x[(r * n) + j] = columns[(r * count) + index[j]];
            }
        }

        return x;
    }

    private static float[] Normalised(float[] d, int n)
    {
        for (int j = 0; j < n; j++)
        {
            float len = MathF.Sqrt((d[j] * d[j]) + (d[n + j] * d[n + j]) + (d[(2 * n) + j] * d[(2 * n) + j]));
            d[j] /= len;
            d[n + j] /= len;
            d[(2 * n) + j] /= len;
        }

        return d;
    }
}
