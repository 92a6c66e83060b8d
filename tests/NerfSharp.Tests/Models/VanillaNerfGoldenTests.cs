using NerfSharp.Configuration;
using NerfSharp.IO;
using NerfSharp.Models;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Models;

/// <summary>
/// A whole coarse + fine render_rays of nerf-pytorch (16 lego rays, D=8 W=64 networks, 64 + 128 samples,
/// deterministic, white background) against its outputs and autograd gradients of every parameter.
/// The golden run is float64; NerfSharp computes in float32. The coarse pass (fixed sample positions) matches
/// at 1e-4. The fine pass places samples by inverting a CDF of coarse weights, and the untrained network's
/// 2^9-frequency encoding turns float32 rounding of those positions into visible output changes: moving the
/// ray origins by 1e-7 (relative) moves fine disparity by about 0.6% and accumulation by 0.07%. Fine outputs
/// are therefore compared at a few times that sensitivity, and fine gradients by direction and norm; the tight
/// checks of the fine pass (float64 reference on the model's own samples, finite differences) are in
/// <see cref="VanillaNerfFineReferenceTests"/>.
/// </summary>
public sealed class VanillaNerfGoldenTests
{
    private static (VanillaNerf Model, SafetensorsFile Golden, RayBatch Rays, float[] Target) Setup()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("render_rays"));
        var config = new VanillaNerfConfig { NetWidth = 64, NetWidthFine = 64, Samples = 64, Importance = 128, Perturb = false };
        var model = new VanillaNerf(config, (1f, 1f, 1f), pointsPerChunk: 16 * 192);
        foreach (var tensor in model.Parameters.Tensors)
        {
            var src = golden["param." + tensor.Name];
            Assert.Equal(tensor.Shape, src.Shape);
            src.ToFloats().CopyTo(model.Parameters.ValuesOf(tensor));
        }

        double[] o = golden["rays_o"].ToDoubles(), d = golden["rays_d"].ToDoubles();
        var rays = new RayBatch(16) { Count = 16 };
        for (int i = 0; i < 16 * 3; i++)
        {
            rays.Origins[i] = (float)o[i];
            rays.Directions[i] = (float)d[i];
        }

        Array.Fill(rays.Near, 2f);
        Array.Fill(rays.Far, 6f);
        return (model, golden, rays, golden["target"].ToFloats());
    }

    [Fact]
    public void CoarsePassMatchesNerfPytorch()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("render_rays"));
        var config = new VanillaNerfConfig { NetWidth = 64, Samples = 64, Importance = 0, Perturb = false };
        var model = new VanillaNerf(config, (1f, 1f, 1f), pointsPerChunk: 16 * 64);
        foreach (var tensor in model.Parameters.Tensors)
        {
            golden["param." + tensor.Name].ToFloats().CopyTo(model.Parameters.ValuesOf(tensor));
        }

        var (_, _, rays, _) = Setup();
        var output = new RenderedRays(16);
        model.Render(rays, output, model.CreateRenderContext(rays.Count));
        AssertClose(golden["rgb0"].ToDoubles(), output.Rgb, 1e-4, 1e-5, "rgb0");
        AssertClose(golden["acc0"].ToDoubles(), output.Accumulation, 1e-4, 1e-5, "acc0");
        AssertClose(golden["disp0"].ToDoubles(), output.Disparity, 1e-4, 1e-5, "disp0");

        // Fine samples are detached in nerf-pytorch, so the coarse gradients of the full loss are those of mse(rgb0).
        model.Parameters.ZeroGradients();
        model.AccumulateGradients(rays, golden["target"].ToFloats(), 16, new Numerics.Rng(1));
        foreach (var tensor in model.Parameters.Tensors)
        {
            double[] expected = golden["grad." + tensor.Name].ToDoubles();
            double scale = expected.Max(Math.Abs);
            AssertClose(expected, model.Parameters.GradientsOf(tensor), 1e-3, 1e-4 * scale, "grad." + tensor.Name);
        }
    }

    [Fact]
    public void RenderMatchesNerfPytorch()
    {
        var (model, golden, rays, _) = Setup();
        var output = new RenderedRays(16);
        model.Render(rays, output, model.CreateRenderContext(rays.Count));
        AssertClose(golden["rgb_map"].ToDoubles(), output.Rgb, 5e-3, 1e-5, "rgb_map");
        AssertClose(golden["disp_map"].ToDoubles(), output.Disparity, 3e-2, 1e-5, "disp_map");
        AssertClose(golden["acc_map"].ToDoubles(), output.Accumulation, 5e-3, 1e-5, "acc_map");
    }

    [Fact]
    public void LossAndGradientsMatchNerfPytorchAutograd()
    {
        var (model, golden, rays, target) = Setup();
        model.Parameters.ZeroGradients();
        TrainLoss loss = model.AccumulateGradients(rays, target, 16, new Numerics.Rng(1));
        Assert.Equal(golden["loss"].ToDoubles()[0], loss.Loss, 2e-4 * Math.Abs(golden["loss"].ToDoubles()[0]));
        foreach (var tensor in model.Parameters.Tensors)
        {
            double[] expected = golden["grad." + tensor.Name].ToDoubles();
            float[] actual = model.Parameters.GradientsOf(tensor).ToArray();
            double dot = 0, ee = 0, aa = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                dot += expected[i] * actual[i];
                ee += expected[i] * expected[i];
                aa += (double)actual[i] * actual[i];
            }

            double cosine = dot / Math.Sqrt((ee * aa) + 1e-300);
            double normRatio = Math.Sqrt(aa / ee);
            Assert.True(cosine > MinCosine && Math.Abs(normRatio - 1) < MaxNormError, $"grad.{tensor.Name}: cosine {cosine:F6}, norm ratio {normRatio:F6}");
        }
    }

    /// <summary>Whole-render gradients flow through float32 PDF sample positions; compared by direction and norm.</summary>
    private const double MinCosine = 0.98;

    private const double MaxNormError = 0.05;

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.True(expected.Length <= actual.Length, what);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i];
            if (!double.IsFinite(e))
            {
                continue;
            }

            double err = Math.Abs(e - actual[i]);
            Assert.True(err <= abs + (rel * Math.Abs(e)), $"{what}[{i}]: expected {e:G9}, got {actual[i]:G9}");
        }
    }
}
