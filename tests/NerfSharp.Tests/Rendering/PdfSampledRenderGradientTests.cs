using NerfSharp.Numerics;
using NerfSharp.Rendering;
using NerfSharp.Sampling;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Rendering;

/// <summary>
/// nerf-pytorch's hierarchical pass end to end: a coarse render gives weights, PdfSampler (deterministic) draws
/// fine depths from them, they are merged with the coarse depths and the merged samples are rendered. The fine
/// sample positions are held fixed (detached, as nerf-pytorch does), so the gradient of
/// L = L_fine + L_coarse reaches the field only through its values at the samples.
/// The field is analytic per ray: sigma(t) = 10 exp(a) exp(-((t - mu) / 0.3)^2) + 0.01 and
/// c_k(t) = sigmoid(beta_k + gamma_k (t - 4)), parameters theta = (a, mu, beta_0..2, gamma_0..2) per ray.
/// </summary>
public class PdfSampledRenderGradientTests
{
    private const int Rays = 5;
    private const int Coarse = 32;
    private const int Fine = 64;
    private const int Merged = Coarse + Fine;
    private const int ParamsPerRay = 8;
    private const double Width = 0.3;

    [Fact]
    public void GradientsThroughCoarseAndDetachedFinePassPassTheFiniteDifferenceCheck()
    {
        var setup = new Setup(seed: 4);
        double[] theta = setup.Theta;
        double[] analytic = setup.AnalyticGradient(theta);
        GradientCheck.Check(theta, () => setup.Loss(theta), analytic, probes: Rays * ParamsPerRay, eps: 1e-6, tolerance: 1e-4, floor: 1e-5);
    }

    [Fact]
    public void FinePassDensityAndColorGradientsPassTheFiniteDifferenceCheck()
    {
        var setup = new Setup(seed: 5);
        var (density, color) = setup.Field(setup.Theta, setup.MergedZ, Merged);
        float[] fDensity = ToleranceAssert.ToFloats(density);
        float[] fColor = ToleranceAssert.ToFloats(color);
        var dDensity = new float[Rays * Merged];
        var dColor = new float[3 * Rays * Merged];
        VolumeRenderer.Backward(
            setup.MergedStart, setup.MergedCount, fDensity, setup.MergedDelta, setup.MergedZ, fColor, Rays * Merged, Setup.Background,
            ToleranceAssert.ToFloats(setup.WeightFine), [], [], dDensity, dColor);
        double[] d = ToleranceAssert.ToDoubles(fDensity);
        double[] c = ToleranceAssert.ToDoubles(fColor);
        GradientCheck.Check(d, () => setup.FineLoss(d, c), ToleranceAssert.ToDoubles(dDensity), probes: 80, eps: 1e-6, tolerance: 1e-4, floor: 1e-4);
        GradientCheck.Check(c, () => setup.FineLoss(d, c), ToleranceAssert.ToDoubles(dColor), probes: 80, eps: 1e-6, tolerance: 1e-4, floor: 1e-4);
    }

    [Fact]
    public void FineSamplesConcentrateWhereTheCoarseWeightsAre()
    {
        var setup = new Setup(seed: 6);
        for (int r = 0; r < Rays; r++)
        {
            double mu = setup.Theta[(r * ParamsPerRay) + 1];
            int near = 0;
            for (int k = 0; k < Merged; k++)
            {
                float z = setup.MergedZ[(r * Merged) + k];
                if (k > 0)
                {
                    Assert.True(z >= setup.MergedZ[(r * Merged) + k - 1]);
                }

                if (Math.Abs(z - mu) < 2 * Width)
                {
                    near++;
                }
            }

            // Uniform coarse samples put ~ Coarse * 1.2 / 4 ~ 10 in that window; the fine pass adds most of its 64.
            Assert.True(near > 40, $"ray {r}: only {near} of {Merged} samples within 2 widths of the density peak");
        }
    }

    private sealed class Setup
    {
        public static readonly (float R, float G, float B) Background = (1f, 1f, 1f);

        private readonly float[] coarseZ = new float[Rays * Coarse];
        private readonly float[] coarseDelta = new float[Rays * Coarse];
        private readonly int[] coarseStart = Enumerable.Range(0, Rays).Select(r => r * Coarse).ToArray();
        private readonly int[] coarseCount = Enumerable.Repeat(Coarse, Rays).ToArray();
        private readonly float[] norms = new float[Rays];
        private readonly double[] weightCoarse;

        public Setup(int seed)
        {
            var rng = new Random(seed);
            Theta = new double[Rays * ParamsPerRay];
            for (int r = 0; r < Rays; r++)
            {
                Span<double> p = Theta.AsSpan(r * ParamsPerRay, ParamsPerRay);
                p[0] = (rng.NextDouble() * 2) - 1.5;
                p[1] = 2.8 + (2.4 * rng.NextDouble());
                for (int k = 2; k < ParamsPerRay; k++)
                {
                    p[k] = (rng.NextDouble() * 2) - 1;
                }

                norms[r] = 0.8f + (0.6f * (float)rng.NextDouble());
            }

            WeightFine = GradientCheck.RandomWeights(3 * Rays, seed + 100);
            weightCoarse = GradientCheck.RandomWeights(3 * Rays, seed + 200);

            var near = Enumerable.Repeat(2f, Rays).ToArray();
            var far = Enumerable.Repeat(6f, Rays).ToArray();
            StratifiedSampler.Sample(near, far, Rays, Coarse, linDisp: false, perturb: false, new Rng(1), coarseZ);
            SampleIntervals.FromZVals(coarseStart, coarseCount, coarseZ, norms, coarseDelta);

            // Coarse render in float (as training would) -> weights -> PDF samples at the mids -> merge. Computed once: detached.
            var (density, color) = Field(Theta, coarseZ, Coarse);
            var weights = new float[Rays * Coarse];
            VolumeRenderer.Forward(
                coarseStart, coarseCount, ToleranceAssert.ToFloats(density), coarseDelta, coarseZ, ToleranceAssert.ToFloats(color), Rays * Coarse, Background,
                new float[3 * Rays], new float[Rays], new float[Rays], new float[Rays], weights);
            var mids = new float[Rays * (Coarse - 1)];
            var inner = new float[Rays * (Coarse - 2)];
            for (int r = 0; r < Rays; r++)
            {
                for (int k = 0; k < Coarse - 1; k++)
                {
                    mids[(r * (Coarse - 1)) + k] = 0.5f * (coarseZ[(r * Coarse) + k] + coarseZ[(r * Coarse) + k + 1]);
                }

                weights.AsSpan((r * Coarse) + 1, Coarse - 2).CopyTo(inner.AsSpan(r * (Coarse - 2)));
            }

            var fine = new float[Rays * Fine];
            PdfSampler.Sample(mids, Coarse - 1, inner, Rays, Fine, deterministic: true, rng: null, fine);
            MergedZ = new float[Rays * Merged];
            PdfSampler.MergeSorted(coarseZ, Coarse, fine, Fine, Rays, MergedZ);
            MergedStart = Enumerable.Range(0, Rays).Select(r => r * Merged).ToArray();
            MergedCount = Enumerable.Repeat(Merged, Rays).ToArray();
            MergedDelta = new float[Rays * Merged];
            SampleIntervals.FromZVals(MergedStart, MergedCount, MergedZ, norms, MergedDelta);
        }

        public double[] Theta { get; }

        public double[] WeightFine { get; }

        public float[] MergedZ { get; }

        public float[] MergedDelta { get; }

        public int[] MergedStart { get; }

        public int[] MergedCount { get; }

        /// <summary>Field values at the given depths (perRay per ray): density [n], colour SoA [3][n].</summary>
        public (double[] Density, double[] Color) Field(double[] theta, float[] z, int perRay)
        {
            int n = Rays * perRay;
            var density = new double[n];
            var color = new double[3 * n];
            for (int r = 0; r < Rays; r++)
            {
                ReadOnlySpan<double> p = theta.AsSpan(r * ParamsPerRay, ParamsPerRay);
                for (int k = 0; k < perRay; k++)
                {
                    int s = (r * perRay) + k;
                    double u = (z[s] - p[1]) / Width;
                    density[s] = (10 * Math.Exp(p[0]) * Math.Exp(-u * u)) + 0.01;
                    for (int c = 0; c < 3; c++)
                    {
                        color[(c * n) + s] = 1 / (1 + Math.Exp(-(p[2 + c] + (p[5 + c] * (z[s] - 4)))));
                    }
                }
            }

            return (density, color);
        }

        /// <summary>L = WeightFine . rgb_fine + weightCoarse . rgb_coarse, rendered by the double reference at fixed depths.</summary>
        public double Loss(double[] theta)
        {
            var (cd, cc) = Field(theta, coarseZ, Coarse);
            var (fd, fc) = Field(theta, MergedZ, Merged);
            return Render(coarseStart, coarseCount, cd, coarseDelta, coarseZ, cc, weightCoarse) + FineLoss(fd, fc);
        }

        public double FineLoss(double[] density, double[] color) =>
            Render(MergedStart, MergedCount, density, MergedDelta, MergedZ, color, WeightFine);

        /// <summary>dL/dtheta from the float kernels: both passes' VolumeRenderer.Backward, chained through the field.</summary>
        public double[] AnalyticGradient(double[] theta)
        {
            var gradient = new double[theta.Length];
            Accumulate(theta, coarseStart, coarseCount, coarseZ, coarseDelta, Coarse, weightCoarse, gradient);
            Accumulate(theta, MergedStart, MergedCount, MergedZ, MergedDelta, Merged, WeightFine, gradient);
            return gradient;
        }

        private void Accumulate(double[] theta, int[] start, int[] count, float[] z, float[] delta, int perRay, double[] dLdRgb, double[] gradient)
        {
            int n = Rays * perRay;
            var (density, color) = Field(theta, z, perRay);
            var dDensity = new float[n];
            var dColor = new float[3 * n];
            VolumeRenderer.Backward(
                start, count, ToleranceAssert.ToFloats(density), delta, z, ToleranceAssert.ToFloats(color), n, Background,
                ToleranceAssert.ToFloats(dLdRgb), [], [], dDensity, dColor);
            for (int r = 0; r < Rays; r++)
            {
                Span<double> g = gradient.AsSpan(r * ParamsPerRay, ParamsPerRay);
                ReadOnlySpan<double> p = theta.AsSpan(r * ParamsPerRay, ParamsPerRay);
                for (int k = 0; k < perRay; k++)
                {
                    int s = (r * perRay) + k;
                    double u = (z[s] - p[1]) / Width;
                    double bump = 10 * Math.Exp(p[0]) * Math.Exp(-u * u);
                    g[0] += dDensity[s] * bump;
                    g[1] += dDensity[s] * bump * 2 * u / Width;
                    for (int c = 0; c < 3; c++)
                    {
                        double sig = color[(c * n) + s];
                        double dPre = dColor[(c * n) + s] * sig * (1 - sig);
                        g[2 + c] += dPre;
                        g[5 + c] += dPre * (z[s] - 4);
                    }
                }
            }
        }

        private static double Render(int[] start, int[] count, double[] density, float[] delta, float[] z, double[] color, double[] dLdRgb)
        {
            int n = density.Length;
            var rgb = new double[3 * Rays];
            VolumeRendererReference.Forward(
                start, count, density, ToleranceAssert.ToDoubles(delta), ToleranceAssert.ToDoubles(z), color, n, (1, 1, 1),
                rgb, new double[Rays], new double[Rays], new double[Rays], new double[n]);
            double l = 0;
            for (int i = 0; i < rgb.Length; i++)
            {
                l += dLdRgb[i] * rgb[i];
            }

            return l;
        }
    }
}
