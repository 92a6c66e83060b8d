using NerfSharp.Numerics;

namespace NerfSharp.Data;

/// <summary>One training pixel: which image, which column (x) and row (y).</summary>
public readonly record struct PixelIndex(int Image, int X, int Y);

/// <summary>Where a <see cref="PixelSampler"/> is in its sequence, for checkpoints.</summary>
public sealed record PixelSamplerState(long Epoch, long Cursor, ulong[] RngState);

/// <summary>
/// Chooses each step's training pixels as nerf-pytorch does. With batching: a random permutation
/// of every pixel of every image, consumed N_rand at a time and reshuffled when exhausted (stored as an
/// index permutation, not as a copy of the rays, so memory stays at 4 bytes a pixel). Without batching
/// (no_batching): one random image per step, N_rand distinct pixels from it, from its centre crop while
/// step &lt; precrop_iters. The sequence depends only on the seed and the state, so a resumed run draws the same pixels.
/// Images may differ in size (<see cref="PixelSampler(IReadOnlyList{ValueTuple{int, int}}, bool, int, double, ulong)"/>): the
/// permutation then runs over all their pixels (image k's pixels follow image k-1's) and one-image steps use that image's size;
/// with equal sizes both constructors draw the same sequence. With masks (<see cref="PixelMask"/>, nerfstudio's semantics) only
/// kept pixels are drawn: the permutation runs over the kept pixels in the same order, and a one-image step draws from the
/// kept pixels of its image (or crop); without masks the sequence is unchanged.
/// </summary>
public sealed class PixelSampler
{
    private readonly int imageCount;
    private readonly int[] widths;
    private readonly int[] heights;

    // pixelStart[k]: index of image k's first pixel in the concatenation of all images (pixelStart[imageCount] = total).
    private readonly int[] pixelStart;
    private readonly bool batching;
    private readonly int precropIters;
    private readonly double precropFrac;
    private readonly ulong seed;
    private readonly Rng rng;

    // With masks: per image its mask (or null), and the concatenated indices of every kept pixel; null without masks.
    private readonly PixelMask?[]? masks;
    private readonly int[]? keptPixels;
    private int[] permutation = [];
    private int[] scratch = [];
    private long epoch = -1;
    private long cursor;

    public PixelSampler(int imageCount, int width, int height, bool batching, int precropIters, double precropFrac, ulong seed)
        : this(Uniform(imageCount, width, height), batching, precropIters, precropFrac, seed)
    {
    }

    /// <summary>
    /// A sampler over images of the given (width, height) sizes, in image order; <paramref name="masks"/> (per image a mask
    /// of its size or null; null for none) restricts it to the pixels they keep.
    /// </summary>
    public PixelSampler(IReadOnlyList<(int Width, int Height)> sizes, bool batching, int precropIters, double precropFrac, ulong seed, IReadOnlyList<PixelMask?>? masks = null)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizes.Count, "imageCount");
        imageCount = sizes.Count;
        widths = new int[imageCount];
        heights = new int[imageCount];
        pixelStart = new int[imageCount + 1];
        long total = 0;
        for (int k = 0; k < imageCount; k++)
        {
            var (w, h) = sizes[k];
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(w, "width");
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h, "height");
            (widths[k], heights[k]) = (w, h);
            pixelStart[k] = (int)Math.Min(total, int.MaxValue);
            total += (long)w * h;
            if (total > int.MaxValue)
            {
                throw new ArgumentException($"{imageCount} images of {w}x{h} exceed 2^31 pixels");
            }
        }

        pixelStart[imageCount] = (int)total;
        if (masks is not null && masks.Any(m => m is not null))
        {
            if (masks.Count != imageCount)
            {
                throw new ArgumentException($"{masks.Count} masks for {imageCount} images", nameof(masks));
            }

            this.masks = [.. masks];
            var kept = new List<int>();
            for (int k = 0; k < imageCount; k++)
            {
                PixelMask? mask = masks[k];
                if (mask is not null && (mask.Width != widths[k] || mask.Height != heights[k]))
                {
                    throw new ArgumentException($"mask {k} is {mask.Width}x{mask.Height}, its image {widths[k]}x{heights[k]}", nameof(masks));
                }

                for (int p = 0; p < widths[k] * heights[k]; p++)
                {
                    if (mask is null || mask.Keeps(p % widths[k], p / widths[k]))
                    {
                        kept.Add(pixelStart[k] + p);
                    }
                }
            }

            keptPixels = [.. kept];
        }

        this.batching = batching;
        this.precropIters = precropIters;
        this.precropFrac = precropFrac;
        this.seed = seed;
        rng = new Rng(seed ^ 0x5A17_1E50_0000_0001UL);
    }

    public int PixelCount => pixelStart[imageCount];

    /// <summary>Pixels that can be drawn: all of them, or those the masks keep.</summary>
    public int SampledPixelCount => keptPixels?.Length ?? PixelCount;

    public PixelSamplerState State => new(epoch, cursor, rng.GetState());

    public void Restore(PixelSamplerState state)
    {
        rng.SetState(state.RngState);
        cursor = state.Cursor;
        if (state.Epoch >= 0)
        {
            BuildPermutation(state.Epoch);
        }

        epoch = state.Epoch;
    }

    /// <summary>Fills <paramref name="output"/> with the pixels of training step <paramref name="step"/>.</summary>
    public void Next(long step, Span<PixelIndex> output)
    {
        if (batching)
        {
            NextBatched(output);
        }
        else
        {
            NextFromOneImage(step, output);
        }
    }

    private static (int, int)[] Uniform(int imageCount, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if ((long)imageCount * width * height > int.MaxValue)
        {
            throw new ArgumentException($"{imageCount} images of {width}x{height} exceed 2^31 pixels");
        }

        var sizes = new (int, int)[imageCount];
        Array.Fill(sizes, (width, height));
        return sizes;
    }

    private void NextBatched(Span<PixelIndex> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            if (epoch < 0 || cursor >= permutation.Length)
            {
                BuildPermutation(epoch + 1);
                epoch++;
                cursor = 0;
            }

            int g = keptPixels is null ? permutation[cursor++] : keptPixels[permutation[cursor++]];
            int image = ImageOf(g);
            int p = g - pixelStart[image];
            output[i] = new PixelIndex(image, p % widths[image], p / widths[image]);
        }
    }

    /// <summary>The image holding concatenated pixel <paramref name="g"/>: the last k with pixelStart[k] &lt;= g (binary search).</summary>
    private int ImageOf(int g)
    {
        int lo = 0, hi = imageCount - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (pixelStart[mid] <= g)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private void BuildPermutation(long forEpoch)
    {
        if (permutation.Length != SampledPixelCount)
        {
            permutation = new int[SampledPixelCount];
        }

        for (int i = 0; i < permutation.Length; i++)
        {
            permutation[i] = i;
        }

        new Rng(seed + (0x9E37_79B9_7F4A_7C15UL * (ulong)(forEpoch + 1))).Shuffle(permutation.AsSpan());
    }

    private void NextFromOneImage(long step, Span<PixelIndex> output)
    {
        int image = rng.NextInt(imageCount);
        int width = widths[image], height = heights[image];
        int x0 = 0, y0 = 0, w = width, h = height;
        if (step < precropIters)
        {
            // nerf-pytorch: rows H/2 - dH .. H/2 + dH - 1 with dH = int(H/2 * precrop_frac), same for columns.
            int dH = (int)(height / 2 * precropFrac);
            int dW = (int)(width / 2 * precropFrac);
            y0 = (height / 2) - dH;
            x0 = (width / 2) - dW;
            h = 2 * dH;
            w = 2 * dW;
        }

        int m = w * h;
        if (scratch.Length < m)
        {
            scratch = new int[m];
        }

        PixelMask? mask = masks?[image];
        if (mask is null)
        {
            for (int i = 0; i < m; i++)
            {
                scratch[i] = i;
            }
        }
        else
        {
            int kept = 0;
            for (int i = 0; i < m; i++)
            {
                if (mask.Keeps(x0 + (i % w), y0 + (i / w)))
                {
                    scratch[kept++] = i;
                }
            }

            m = kept;
        }

        if (output.Length > m)
        {
            throw new InvalidOperationException($"N_rand = {output.Length} exceeds the {m} pixels available in one image{(step < precropIters ? " crop" : string.Empty)}{(mask is null ? string.Empty : " that its mask keeps")}");
        }

        // Partial Fisher-Yates: N distinct pixels (np.random.choice(..., replace=False)).
        for (int i = 0; i < output.Length; i++)
        {
            int j = i + rng.NextInt(m - i);
            (scratch[i], scratch[j]) = (scratch[j], scratch[i]);
            int p = scratch[i];
            output[i] = new PixelIndex(image, x0 + (p % w), y0 + (p / w));
        }
    }
}
