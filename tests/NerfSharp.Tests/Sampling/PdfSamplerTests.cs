using NerfSharp.IO;
using NerfSharp.Numerics;
using NerfSharp.Sampling;
using NerfSharp.Tests.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Sampling;

public class PdfSamplerTests
{
    [Fact]
    public void DoubleReferenceMatchesSamplePdfDeterministic()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("sample_pdf"));
        var (bins, weights, rays, binsPerRay) = Load(golden);
        int n = golden["samples_det"].Shape[1];
        var u = new double[n];
        for (int k = 0; k < n; k++)
        {
            u[k] = k / (double)(n - 1);
        }

        var samples = new double[rays * n];
        PdfSampler.Sample(bins, binsPerRay, weights, rays, n, u, samples);
        ToleranceAssert.AllClose(golden["samples_det"].ToDoubles(), samples, 1e-12, 1e-9, "samples_det");
    }

    [Fact]
    public void DoubleReferenceMatchesSamplePdfWithGivenU()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("sample_pdf"));
        var (bins, weights, rays, binsPerRay) = Load(golden);
        double[] u = golden["u"].ToDoubles();
        int n = golden["u"].Shape[1];
        var samples = new double[rays * n];
        PdfSampler.Sample(bins, binsPerRay, weights, rays, n, u, samples);
        ToleranceAssert.AllClose(golden["samples_u"].ToDoubles(), samples, 1e-12, 1e-9, "samples_u");
    }

    [Fact]
    public void FloatSamplerMatchesSamplePdf()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("sample_pdf"));
        var (bins, weights, rays, binsPerRay) = Load(golden);
        float[] binsF = ToleranceAssert.ToFloats(bins);
        float[] weightsF = ToleranceAssert.ToFloats(weights);
        int n = golden["u"].Shape[1];

        var det = new float[rays * n];
        PdfSampler.Sample(binsF, binsPerRay, weightsF, rays, n, deterministic: true, rng: null, det);
        ToleranceAssert.AllClose(golden["samples_det"].ToDoubles(), det, 1e-5, 1e-4, "samples_det (float)");

        var given = new float[rays * n];
        PdfSampler.Sample(binsF, binsPerRay, weightsF, rays, n, ToleranceAssert.ToFloats(golden["u"].ToDoubles()), given);
        ToleranceAssert.AllClose(golden["samples_u"].ToDoubles(), given, 1e-5, 1e-4, "samples_u (float)");
    }

    [Fact]
    public void RandomSamplesFollowTheWeightsAreAscendingAndReproducible()
    {
        // One ray, bins 0..4, all weight in [1, 2) and [3, 4) in the ratio 1:3.
        float[] bins = [0, 1, 2, 3, 4];
        float[] weights = [0, 1, 0, 3];
        const int n = 20000;
        var samples = new float[n];
        PdfSampler.Sample(bins, 5, weights, 1, n, deterministic: false, new Rng(7), samples);
        int inFirst = 0, inLast = 0;
        foreach (float s in samples)
        {
            Assert.InRange(s, 0f, 4f);
            if (s is >= 1 and < 2)
            {
                inFirst++;
            }
            else if (s is >= 3 and <= 4)
            {
                inLast++;
            }
        }

        Assert.True(inFirst + inLast > n * 0.99);
        for (int k = 1; k < n; k++)
        {
            Assert.True(samples[k] >= samples[k - 1], "random samples come out ascending");
        }
        Assert.InRange(inLast / (double)inFirst, 2.8, 3.2);

        var again = new float[n];
        PdfSampler.Sample(bins, 5, weights, 1, n, deterministic: false, new Rng(7), again);
        Assert.Equal(samples, again);
    }

    [Fact]
    public void DeterministicSamplesAreAscendingAndSpanTheBins()
    {
        float[] bins = [2, 2.5f, 3, 3.5f, 4, 4.5f];
        float[] weights = [0.1f, 0.5f, 0, 0.2f, 0.05f];
        var samples = new float[16];
        PdfSampler.Sample(bins, 6, weights, 1, 16, deterministic: true, rng: null, samples);
        Assert.Equal(2f, samples[0]);
        Assert.Equal(4.5f, samples[^1], 5);
        for (int k = 1; k < 16; k++)
        {
            Assert.True(samples[k] >= samples[k - 1]);
        }
    }

    [Fact]
    public void MergeSortedMatchesSortingTheConcatenation()
    {
        var rng = new Random(3);
        const int rays = 7, na = 9, nb = 13;
        var a = new float[rays * na];
        var b = new float[rays * nb];
        for (int r = 0; r < rays; r++)
        {
            for (int k = 0; k < na; k++)
            {
                a[(r * na) + k] = (float)rng.NextDouble();
            }

            for (int k = 0; k < nb; k++)
            {
                b[(r * nb) + k] = k == 3 ? a[r * na] : (float)rng.NextDouble();
            }

            Array.Sort(a, r * na, na);
            Array.Sort(b, r * nb, nb);
        }

        var merged = new float[rays * (na + nb)];
        PdfSampler.MergeSorted(a, na, b, nb, rays, merged);
        for (int r = 0; r < rays; r++)
        {
            float[] expected = [.. a.AsSpan(r * na, na), .. b.AsSpan(r * nb, nb)];
            Array.Sort(expected);
            Assert.Equal(expected, merged.AsSpan(r * (na + nb), na + nb).ToArray());
        }
    }

    [Fact]
    public void RejectsBadShapes()
    {
        var samples = new float[4];
        Assert.Throws<ArgumentException>(() => PdfSampler.Sample(new float[3], 3, new float[1], 1, 4, true, null, samples));
        Assert.Throws<ArgumentException>(() => PdfSampler.Sample(new float[3], 3, new float[2], 1, 4, new float[3], samples));
        Assert.Throws<ArgumentNullException>(() => PdfSampler.Sample(new float[3], 3, new float[2], 1, 4, false, null, samples));
    }

    private static (double[] Bins, double[] Weights, int Rays, int BinsPerRay) Load(SafetensorsFile golden)
    {
        SafetensorsTensor bins = golden["bins"];
        return (bins.ToDoubles(), golden["weights"].ToDoubles(), bins.Shape[0], bins.Shape[1]);
    }
}
