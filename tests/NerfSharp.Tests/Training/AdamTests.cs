using NerfSharp.Parameters;
using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

public sealed class AdamTests
{
    // torch.optim.Adam(lr=1e-2) on p0 = [0.5, -1.25, 2.0] with these gradients, computed in double from
    // m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
    private static readonly float[][] Grads = [[0.1f, -0.2f, 0.3f], [-0.05f, 0.4f, 0.0f], [0.2f, 0.1f, -0.3f]];

    private static readonly double[][] ExpectedParams =
    [
        [0.4900000009999999, -1.2400000005, 1.9900000003333334],
        [0.4873366309403391, -1.2436610356546038, 1.9832994181079155],
        [0.4807555154351381, -1.2478175474963837, 1.984158095217337],
    ];

    private static readonly double[][] ExpectedFirstMoment =
    [
        [0.009999999999999998, -0.019999999999999997, 0.029999999999999992],
        [0.004, 0.021999999999999995, 0.026999999999999993],
        [0.023599999999999996, 0.029799999999999993, -0.005699999999999997],
    ];

    private static readonly double[][] ExpectedSecondMoment =
    [
        [1.0000000000000011e-05, 4.0000000000000044e-05, 9.000000000000007e-05],
        [1.2490000000000014e-05, 0.00019996000000000022, 8.991000000000008e-05],
        [5.2477510000000055e-05, 0.00020976004000000022, 0.00017982009000000015],
    ];

    [Fact]
    public void ThreeStepsMatchTorchAdamFormula()
    {
        var store = new ParameterStore();
        var w = store.Add("w", [3]);
        store.Freeze();
        new float[] { 0.5f, -1.25f, 2.0f }.CopyTo(store.ValuesOf(w));
        var adam = new Adam(store, new AdamConfig());

        for (int t = 0; t < 3; t++)
        {
            Grads[t].CopyTo(store.GradientsOf(w));
            adam.Step(1e-2);
            Assert.Equal(t + 1, adam.StepCount);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(ExpectedParams[t][i], store.Values[i], 1e-6);
                Assert.Equal(ExpectedFirstMoment[t][i], adam.FirstMoment[i], 1e-8);
                Assert.Equal(ExpectedSecondMoment[t][i], adam.SecondMoment[i], 1e-10);
            }

            // Step leaves the gradients alone.
            Assert.Equal(Grads[t], store.GradientsOf(w).ToArray());
        }
    }

    [Fact]
    public void GroupScaleEqualsScaledLearningRate()
    {
        static (ParameterStore Store, Adam Adam) Make(bool twoGroups)
        {
            var s = new ParameterStore();
            s.Add("coarse.a", [37], "coarse");
            s.Add("fine.b", [29], twoGroups ? "fine" : "coarse");
            s.Freeze();
            var rng = new Numerics.Rng(5);
            for (int i = 0; i < s.Count; i++)
            {
                s.Values[i] = rng.NextGaussian();
            }

            return (s, new Adam(s, new AdamConfig()));
        }

        var (scaled, scaledAdam) = Make(twoGroups: true);
        scaledAdam.SetGroupLearningRateScale("fine", 0.25);
        Assert.Equal(0.25, scaledAdam.GetGroupLearningRateScale("fine"));
        Assert.Equal(1.0, scaledAdam.GetGroupLearningRateScale("coarse"));
        var (plain, plainAdam) = Make(twoGroups: false);
        var (quarter, quarterAdam) = Make(twoGroups: false);
        var gradRng = new Numerics.Rng(9);
        for (int step = 0; step < 4; step++)
        {
            for (int i = 0; i < scaled.Count; i++)
            {
                float g = gradRng.NextGaussian();
                scaled.Gradients[i] = plain.Gradients[i] = quarter.Gradients[i] = g;
            }

            scaledAdam.Step(3e-3);
            plainAdam.Step(3e-3);
            quarterAdam.Step(3e-3 * 0.25);
        }

        var a = scaled["coarse.a"];
        var b = scaled["fine.b"];
        Assert.Equal(plain.ValuesOf(a).ToArray(), scaled.ValuesOf(a).ToArray());
        Assert.Equal(quarter.ValuesOf(b).ToArray(), scaled.ValuesOf(b).ToArray());
        Assert.NotEqual(plain.ValuesOf(b).ToArray(), scaled.ValuesOf(b).ToArray());
        Assert.Equal(plainAdam.SecondMoment, scaledAdam.SecondMoment);
    }

    [Fact]
    public void UnknownGroupIsRejected()
    {
        var store = new ParameterStore();
        store.Add("a", [2], "coarse");
        store.Freeze();
        var adam = new Adam(store, new AdamConfig());
        var e = Assert.Throws<ArgumentException>(() => adam.SetGroupLearningRateScale("fien", 0.5));
        Assert.Contains("fien", e.Message);
        Assert.Equal(["coarse"], adam.Groups);
    }

    [Fact]
    public void UnfrozenStoreIsRejected()
    {
        var store = new ParameterStore();
        store.Add("a", [2]);
        Assert.Throws<ArgumentException>(() => new Adam(store, new AdamConfig()));
    }

    [Fact]
    public void LargeStoreParallelUpdateEqualsScalarReference()
    {
        // Three groups, boundaries not aligned to vectors or parallel chunks.
        var store = new ParameterStore();
        store.Add("a", [3, 11_111], "x");
        store.Add("b", [40_001], "y");
        store.Add("c", [7, 5_003], "x");
        store.Freeze();
        Assert.True(store.Count > 2 * Adam.ParallelChunk);
        var rng = new Numerics.Rng(77);
        for (int i = 0; i < store.Count; i++)
        {
            store.Values[i] = rng.NextGaussian();
        }

        float[] p = (float[])store.Values.Clone();
        var m = new float[store.Count];
        var v = new float[store.Count];
        var adam = new Adam(store, new AdamConfig(0.8, 0.99, 1e-6));
        adam.SetGroupLearningRateScale("y", 3.0);
        for (int step = 1; step <= 3; step++)
        {
            for (int i = 0; i < store.Count; i++)
            {
                store.Gradients[i] = rng.NextGaussian() * 0.1f;
            }

            adam.Step(1e-3);
            foreach (var t in store.Tensors)
            {
                var c = AdamUpdate.For(adam.Config, step, 1e-3 * (t.Group == "y" ? 3.0 : 1.0));
                AdamUpdate.ApplyScalar(p.AsSpan(t.Offset, t.Length), store.Gradients.AsSpan(t.Offset, t.Length), m.AsSpan(t.Offset, t.Length), v.AsSpan(t.Offset, t.Length), c, 0);
            }
        }

        Assert.Equal(p, store.Values);
        Assert.Equal(m, adam.FirstMoment);
        Assert.Equal(v, adam.SecondMoment);
    }

    [Fact]
    public void RestoredStateContinuesIdentically()
    {
        var store = new ParameterStore();
        store.Add("w", [50]);
        store.Freeze();
        var rng = new Numerics.Rng(3);
        for (int i = 0; i < store.Count; i++)
        {
            store.Values[i] = rng.NextGaussian();
        }

        var grads = new float[4][];
        for (int s = 0; s < 4; s++)
        {
            grads[s] = new float[store.Count];
            for (int i = 0; i < store.Count; i++)
            {
                grads[s][i] = rng.NextGaussian();
            }
        }

        var adam = new Adam(store, new AdamConfig());
        float[] initial = (float[])store.Values.Clone();
        float[]? pAfter2 = null, mAfter2 = null, vAfter2 = null;
        for (int s = 0; s < 4; s++)
        {
            grads[s].CopyTo(store.Gradients, 0);
            adam.Step(1e-2);
            if (s == 1)
            {
                (pAfter2, mAfter2, vAfter2) = ((float[])store.Values.Clone(), (float[])adam.FirstMoment.Clone(), (float[])adam.SecondMoment.Clone());
            }
        }

        var store2 = new ParameterStore();
        store2.Add("w", [50]);
        store2.Freeze();
        pAfter2!.CopyTo(store2.Values, 0);
        var adam2 = new Adam(store2, new AdamConfig());
        adam2.RestoreState(2, mAfter2, vAfter2);
        for (int s = 2; s < 4; s++)
        {
            grads[s].CopyTo(store2.Gradients, 0);
            adam2.Step(1e-2);
        }

        Assert.Equal(4, adam2.StepCount);
        Assert.Equal(store.Values, store2.Values);
        Assert.Equal(adam.FirstMoment, adam2.FirstMoment);
        Assert.NotEqual(initial, store.Values);
        Assert.Throws<ArgumentException>(() => adam2.RestoreState(1, new float[49], new float[50]));
    }
}
