using NerfSharp.Configuration;
using NerfSharp.IO;
using NerfSharp.Models;
using NerfSharp.Parameters;
using NerfSharp.Rendering;
using NerfSharp.Tests.Networks;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Models;

/// <summary>
/// The fine pass of vanilla NeRF checked tightly, on nerf-pytorch's render_rays case (16 lego rays, D=8 W=64
/// networks, 64 + 128 samples): a float64 reference of the fine pass (encoding, MLP, activation, compositing) is
/// fed the model's own fine sample positions, so the PDF's float32 rounding, which makes a comparison with the
/// golden fine outputs loose, drops out. The fine network's gradients are checked by finite differences of that
/// reference (the fine sample positions do not depend on the fine parameters), and of the float32 model itself;
/// the coarse network's gradients inside the full model are compared element by element with PyTorch's autograd;
/// the importance samples' spread is compared with the golden <c>z_std</c>.
/// </summary>
public sealed class VanillaNerfFineReferenceTests
{
    private const int Rays = 16;

    private static (VanillaNerf Model, SafetensorsFile Golden, RayBatch Rays, float[] Target) Setup(int rayCount = Rays)
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("render_rays"));
        var config = new VanillaNerfConfig { NetWidth = 64, NetWidthFine = 64, Samples = 64, Importance = 128, Perturb = false };
        var model = new VanillaNerf(config, (1f, 1f, 1f), pointsPerChunk: Rays * 192);
        Assert.Equal(Rays, model.RaysPerChunk);
        foreach (var tensor in model.Parameters.Tensors)
        {
            golden["param." + tensor.Name].ToFloats().CopyTo(model.Parameters.ValuesOf(tensor));
        }

        double[] o = golden["rays_o"].ToDoubles(), d = golden["rays_d"].ToDoubles();
        var rays = new RayBatch(rayCount) { Count = rayCount };
        for (int i = 0; i < rayCount * 3; i++)
        {
            rays.Origins[i] = (float)o[i];
            rays.Directions[i] = (float)d[i];
        }

        Array.Fill(rays.Near, 2f);
        Array.Fill(rays.Far, 6f);
        return (model, golden, rays, golden["target"].ToFloats()[..(rayCount * 3)]);
    }

    /// <summary>Runs one training pass (gradients of the full loss left in the store) and returns the fine sample depths it used.</summary>
    private static float[] TrainPass(VanillaNerf model, RayBatch rays, float[] target)
    {
        model.Parameters.ZeroGradients();
        model.AccumulateGradients(rays, target, rays.Count, new Numerics.Rng(1));
        return model.LastFineDepths[..(rays.Count * 192)].ToArray();
    }

    [Fact]
    public void FinePassMatchesFloat64ReferenceOnTheModelsOwnSamples()
    {
        var (model, _, rays, target) = Setup();
        float[] z = TrainPass(model, rays, target);
        var output = new RenderedRays(Rays);
        model.Render(rays, output, model.CreateRenderContext(Rays));

        var reference = new FinePassReference(model, rays, z);
        var (rgb, disp, acc) = reference.Render();
        AssertClose(rgb, output.Rgb, 2e-5, 1e-6, "rgb");
        AssertClose(acc, output.Accumulation, 2e-5, 1e-6, "acc");
        AssertClose(disp, output.Disparity, 2e-5, 1e-6, "disp");
    }

    [Fact]
    public void FineGradientsMatchFiniteDifferencesOfTheFloat64Reference()
    {
        // Four of the rays keep the float64 reference affordable; the loss is the mean over those rays.
        var (model, _, rays, target) = Setup(4);
        float[] z = TrainPass(model, rays, target);
        var reference = new FinePassReference(model, rays, z);
        float[] values = model.Parameters.Values.ToArray();
        float[] analytic = model.Parameters.Gradients.ToArray();
        var fine = FineRange(model.Parameters);

        // Loss of the whole model as far as the fine parameters reach it: mse(rgb_fine, target); the coarse term
        // and the sample depths do not depend on them.
        double Loss()
        {
            values.CopyTo(model.Parameters.Values);
            return reference.FineMse(target);
        }

        // Steps of 1e-5 stay clear of the ReLU kinks (at 1e-3 some probes cross one and are off by 20%).
        var result = GradientCheck.Check(
            values, Loss, analytic, probes: 12, eps: 1e-5, tolerance: 1e-4, floor: 1e-7, seed: 7,
            skip: i => i < fine.Start || i >= fine.End);
        Assert.Equal(12, result.Probes);
        values.CopyTo(model.Parameters.Values);
    }

    [Fact]
    public void FineGradientsMatchFiniteDifferencesOfTheWholeModel()
    {
        var (model, _, rays, target) = Setup();
        float[] z = TrainPass(model, rays, target);
        float[] analytic = model.Parameters.Gradients.ToArray();
        float[] values = model.Parameters.Values.ToArray();
        var fine = FineRange(model.Parameters);
        var context = model.CreateRenderContext(Rays);
        var output = new RenderedRays(Rays);

        // The float32 model's own forward pass; the fine depths must not move when a fine parameter does.
        double Loss()
        {
            values.CopyTo(model.Parameters.Values);
            model.Render(rays, output, context);
            double sum = 0;
            for (int i = 0; i < Rays * 3; i++)
            {
                double e = output.Rgb[i] - target[i];
                sum += e * e;
            }

            return sum / (Rays * 3);
        }

        // Probe only parameters with a gradient well above float32 noise of the loss (about 1e-8 over a 2e-2 step).
        double largest = 0;
        for (int i = fine.Start; i < fine.End; i++)
        {
            largest = Math.Max(largest, Math.Abs(analytic[i]));
        }

        // A 1e-3 step crosses ReLU kinks of some of the 3072 samples, which moves the difference quotient by up
        // to 1.5% here (the float64 reference above converges to the analytic gradient as the step shrinks to 1e-5).
        var result = GradientCheck.Check(
            values, Loss, analytic, probes: 16, eps: 1e-3, tolerance: 3e-2, floor: 1e-6, seed: 11,
            skip: i => i < fine.Start || i >= fine.End || Math.Abs(analytic[i]) < 0.05 * largest);
        Assert.Equal(16, result.Probes);

        values.CopyTo(model.Parameters.Values);
        model.Parameters.ZeroGradients();
        model.AccumulateGradients(rays, target, Rays, new Numerics.Rng(1));
        Assert.Equal(z, model.LastFineDepths[..(Rays * 192)].ToArray());
    }

    [Fact]
    public void CoarseGradientsInsideTheFullModelMatchNerfPytorchElementwise()
    {
        var (model, golden, rays, target) = Setup();
        TrainPass(model, rays, target);
        int compared = 0;
        foreach (var tensor in model.Parameters.Tensors)
        {
            if (!tensor.Name.StartsWith("coarse.", StringComparison.Ordinal))
            {
                continue;
            }

            double[] expected = golden["grad." + tensor.Name].ToDoubles();
            double scale = expected.Max(Math.Abs);
            AssertClose(expected, model.Parameters.GradientsOf(tensor), 1e-3, 1e-4 * scale, "grad." + tensor.Name);
            compared++;
        }

        Assert.True(compared >= 10, $"only {compared} coarse tensors");
    }

    [Fact]
    public void ImportanceSampleSpreadMatchesGoldenZStd()
    {
        var (model, golden, rays, target) = Setup();
        TrainPass(model, rays, target);
        double[] expected = golden["z_std"].ToDoubles();
        ReadOnlySpan<float> importance = model.LastImportanceDepths;
        const int n = 128;
        double worst = 0;
        for (int r = 0; r < Rays; r++)
        {
            double mean = 0;
            for (int k = 0; k < n; k++)
            {
                mean += importance[(r * n) + k];
            }

            mean /= n;
            double variance = 0;
            for (int k = 0; k < n; k++)
            {
                double e = importance[(r * n) + k] - mean;
                variance += e * e;
            }

            double std = Math.Sqrt(variance / n); // torch.std(unbiased=False)
            worst = Math.Max(worst, Math.Abs(std - expected[r]) / expected[r]);
        }

        // The PDF inverts a CDF of float32 coarse weights: the spread matches to a few parts in 10^4.
        Assert.True(worst <= 1e-3, $"z_std: worst relative error {worst:G3}");
    }

    private static (int Start, int End) FineRange(ParameterStore store)
    {
        int start = int.MaxValue, end = 0;
        foreach (var tensor in store.Tensors)
        {
            if (tensor.Name.StartsWith("fine.", StringComparison.Ordinal))
            {
                start = Math.Min(start, tensor.Offset);
                end = Math.Max(end, tensor.Offset + tensor.Length);
            }
        }

        Assert.True(end > start, "the model has no fine network");
        return (start, end);
    }

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            Assert.True(err <= abs + (rel * Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]:G9}, got {actual[i]:G9}");
        }
    }

    /// <summary>
    /// nerf-pytorch's fine pass in float64 on given sample depths: points o + t d (formed in float32 exactly as the
    /// model forms them, so both see the same positions), get_embedder(10)/(4), the fine NeRF MLP, sigmoid/relu,
    /// raw2outputs with a white background.
    /// </summary>
    private sealed class FinePassReference(VanillaNerf model, RayBatch rays, float[] z)
    {
        private const int PerRay = 192;
        private readonly NerfMlpReference mlp = new(model.Fine!.Mlp.Config, model.Parameters, "fine");

        public (double[] Rgb, double[] Disparity, double[] Accumulation) Render()
        {
            int rayCount = rays.Count;
            int count = rayCount * PerRay;
            var density = new double[count];
            var color = new double[3 * count];
            var delta = new double[count];
            var t = new double[count];
            var rayStart = new int[rayCount];
            var samplesPerRay = new int[rayCount];
            for (int r = 0; r < rayCount; r++)
            {
                rayStart[r] = r * PerRay;
                samplesPerRay[r] = PerRay;
                double dx = rays.Directions[3 * r], dy = rays.Directions[(3 * r) + 1], dz = rays.Directions[(3 * r) + 2];
                double norm = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
                double[] view = Encode([dx / norm, dy / norm, dz / norm], 4);
                for (int k = 0; k < PerRay; k++)
                {
                    int s = (r * PerRay) + k;
                    float tk = z[s];
                    double[] point = Encode(
                        [
                            rays.Origins[3 * r] + (rays.Directions[3 * r] * tk),
                            rays.Origins[(3 * r) + 1] + (rays.Directions[(3 * r) + 1] * tk),
                            rays.Origins[(3 * r) + 2] + (rays.Directions[(3 * r) + 2] * tk),
                        ],
                        10);
                    double[] raw = mlp.Forward([.. point, .. view]);
                    for (int c = 0; c < 3; c++)
                    {
                        color[(c * count) + s] = 1 / (1 + Math.Exp(-raw[c]));
                    }

                    density[s] = Math.Max(raw[3], 0);
                    t[s] = tk;
                    delta[s] = (k < PerRay - 1 ? (double)z[s + 1] - tk : 1e10) * norm;
                }
            }

            var rgb = new double[rayCount * 3];
            var depth = new double[rayCount];
            var acc = new double[rayCount];
            var disp = new double[rayCount];
            VolumeRendererReference.Forward(rayStart, samplesPerRay, density, delta, t, color, count, (1, 1, 1), rgb, depth, acc, disp, new double[count]);
            return (rgb, disp, acc);
        }

        public double FineMse(float[] target)
        {
            double[] rgb = Render().Rgb;
            double sum = 0;
            for (int i = 0; i < rgb.Length; i++)
            {
                double e = rgb[i] - target[i];
                sum += e * e;
            }

            return sum / rgb.Length;
        }

        /// <summary>get_embedder(L) of one 3-vector: x, sin(2^0 x), cos(2^0 x), ..., each a 3-vector, no factor pi.</summary>
        private static double[] Encode(double[] x, int frequencies)
        {
            var e = new double[3 + (6 * frequencies)];
            x.CopyTo(e, 0);
            for (int k = 0; k < frequencies; k++)
            {
                double f = Math.ScaleB(1.0, k);
                for (int d = 0; d < 3; d++)
                {
                    e[3 + (6 * k) + d] = Math.Sin(f * x[d]);
                    e[3 + (6 * k) + 3 + d] = Math.Cos(f * x[d]);
                }
            }

            return e;
        }
    }
}
