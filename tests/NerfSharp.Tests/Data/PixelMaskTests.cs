using System.Text.Json;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Imaging;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Data;

/// <summary>
/// Masks from transforms.json (nerfstudio: mask value 0 = ignore the pixel): read and downscaled by nearest neighbour,
/// masked-out pixels never drawn for training (batched and one-image sampling), and not scored.
/// </summary>
public sealed class PixelMaskTests
{
    /// <summary>A 16x12 two-view capture whose masks ignore columns 0..4 (view 0) and rows 0..2 (view 1).</summary>
    private static string WriteCapture(TempDirectory dir, int maskWidth = 16)
    {
        var frames = new List<object>();
        for (int k = 0; k < 2; k++)
        {
            var image = new Image(16, 12, 3);
            Array.Fill(image.Pixels, 0.5f);
            PngEncoder.Write(dir.Combine($"img_{k}.png"), image);
            var mask = new Image(maskWidth, 12, 1);
            for (int y = 0; y < 12; y++)
            {
                for (int x = 0; x < maskWidth; x++)
                {
                    mask[x, y, 0] = (k == 0 ? x >= 5 : y >= 3) ? 1f : 0f;
                }
            }

            PngEncoder.Write(dir.Combine($"mask_{k}.png"), mask);
            frames.Add(new
            {
                file_path = $"img_{k}.png",
                mask_path = $"mask_{k}.png",
                transform_matrix = new[] { new[] { 1.0, 0, 0, k }, [0, 1.0, 0, 0], [0, 0, 1.0, 4.0], [0, 0, 0, 1.0] },
            });
        }

        string json = dir.Combine("transforms.json");
        File.WriteAllText(json, JsonSerializer.Serialize(new { fl_x = 20.0, fl_y = 20.0, cx = 8.0, cy = 6.0, w = 16, h = 12, frames }));
        return dir.Path;
    }

    [Fact]
    public void MasksAreReadAndDownscaledByNearestNeighbour()
    {
        using var dir = new TempDirectory("nerf-mask");
        var full = TransformsJsonParser.Load(WriteCapture(dir), new CaptureOptions(Split: "all"));
        Assert.NotNull(full.Masks);
        Assert.Equal(16 * 12 - (5 * 12), full.Masks![0]!.KeptCount);
        Assert.False(full.Masks[0]!.Keeps(4, 7));
        Assert.True(full.Masks[0]!.Keeps(5, 7));
        Assert.Equal(16 * 9, full.Masks[1]!.KeptCount);

        // Downscale 2: pixel x takes source pixel 2x + 1, so column 2 (source 5) is kept although half its area is masked.
        var half = TransformsJsonParser.Load(dir.Path, new CaptureOptions(Split: "all", Downscale: 2));
        PixelMask m = half.Masks![0]!;
        Assert.Equal((8, 6), (m.Width, m.Height));
        Assert.False(m.Keeps(1, 0));
        Assert.True(m.Keeps(2, 0));
        Assert.Equal(6 * 6, m.KeptCount);
        Assert.Equal(8 * 5, half.Masks[1]!.KeptCount); // rows 1.. (source rows 3..)
    }

    [Fact]
    public void AMaskOfAnotherSizeNamesTheMaskFile()
    {
        using var dir = new TempDirectory("nerf-mask");
        var e = Assert.Throws<DataFormatException>(() => TransformsJsonParser.Load(WriteCapture(dir, maskWidth: 15), new CaptureOptions(Split: "all")));
        Assert.EndsWith("mask_0.png", e.FilePath);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SamplerDrawsOnlyKeptPixels(bool batching)
    {
        using var dir = new TempDirectory("nerf-mask");
        var data = TransformsJsonParser.Load(WriteCapture(dir), new CaptureOptions(Split: "all"));
        var sizes = new[] { (16, 12), (16, 12) };
        var sampler = new PixelSampler(sizes, batching, precropIters: 0, precropFrac: 0.5, seed: 3, data.Masks);
        int kept = data.Masks!.Sum(m => m!.KeptCount);
        Assert.Equal(kept, sampler.SampledPixelCount);
        var seen = new HashSet<PixelIndex>();
        var batch = new PixelIndex[32];
        for (int step = 0; step < 40; step++)
        {
            sampler.Next(step, batch);
            foreach (var p in batch)
            {
                Assert.True(data.Masks![p.Image]!.Keeps(p.X, p.Y), $"step {step}: masked pixel {p} drawn");
                seen.Add(p);
            }
        }

        // 1280 draws: a batched epoch (276 kept pixels) covers every kept pixel; one-image steps nearly all.
        Assert.True(batching ? seen.Count == kept : seen.Count > kept * 0.9, $"{seen.Count} of {kept} kept pixels drawn");

        // Without masks the sequence is the unmasked sampler's.
        var a = new PixelSampler(sizes, batching, 0, 0.5, 3);
        var b = new PixelSampler(sizes, batching, 0, 0.5, 3, [null, null]);
        var pa = new PixelIndex[32];
        var pb = new PixelIndex[32];
        a.Next(0, pa);
        b.Next(0, pb);
        Assert.Equal(pa, pb);
    }

    [Fact]
    public void MaskedPixelsAreNotScored()
    {
        var truth = new Image(16, 16, 3);
        var rendered = new Image(16, 16, 3);
        var keep = new bool[16 * 16];
        for (int i = 0; i < keep.Length; i++)
        {
            keep[i] = i % 3 != 0;
            for (int c = 0; c < 3; c++)
            {
                truth.Pixels[(3 * i) + c] = 0.25f + (0.002f * (i % 7));
                rendered.Pixels[(3 * i) + c] = keep[i] ? truth.Pixels[(3 * i) + c] + 0.1f : 1f; // masked pixels are garbage
            }
        }

        var mask = new PixelMask(16, 16, keep);
        var (psnr, ssim) = Evaluator.Score(rendered, truth, mask);
        Assert.Equal(20.0, psnr, 1e-4); // MSE 0.01 over kept pixels only
        var unmasked = Evaluator.Score(rendered, truth, null);
        Assert.True(unmasked.Psnr < psnr - 3, $"unmasked PSNR {unmasked.Psnr}");

        // Changing only masked pixels changes neither score.
        for (int i = 0; i < keep.Length; i++)
        {
            if (!keep[i])
            {
                rendered.Pixels[3 * i] = 0f;
            }
        }

        Assert.Equal((psnr, ssim), Evaluator.Score(rendered, truth, mask));
    }
}
