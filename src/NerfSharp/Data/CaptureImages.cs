using NerfSharp.Cameras;
using NerfSharp.Imaging;

namespace NerfSharp.Data;

/// <summary>Shared steps of the real-capture parsers: the held-out split, and decoding images to match their cameras.</summary>
internal static class CaptureImages
{
    /// <summary>Indices of <paramref name="count"/> views in <paramref name="split"/>: test = every holdEvery-th (from 0), train = the rest.</summary>
    public static (int[] Indices, string Description) HoldOut(int count, string split, int holdEvery, string what)
    {
        var indices = new List<int>();
        for (int i = 0; i < count; i++)
        {
            bool test = holdEvery > 0 && i % holdEvery == 0;
            if (split == "all" || (split == "train" && !test) || (split is "test" or "val" && test))
            {
                indices.Add(i);
            }
        }

        string description = holdEvery > 0
            ? $"{what}: every {holdEvery}th view held out for test (views 0, {holdEvery}, {2 * holdEvery}, ...), {split} has {indices.Count} of {count}"
            : $"{what}: no views held out, {split} has {indices.Count} of {count}";
        return ([.. indices], description);
    }

    public static void CheckSplit(string split)
    {
        if (split is not ("train" or "test" or "val" or "all"))
        {
            throw new ArgumentException($"unknown split '{split}' (train, test, val or all)");
        }
    }

    /// <summary>
    /// Decodes the images in parallel (order kept), downsamples them by <paramref name="downscale"/> (area) and makes them RGB,
    /// compositing alpha over the background; checks each against its camera's size. With a <paramref name="cache"/>, images
    /// decoded before come from it.
    /// </summary>
    public static Image[] Load(IReadOnlyList<string> paths, IReadOnlyList<Camera> cameras, int downscale, BackgroundColor background, DecodedImageCache? cache = null)
    {
        float bg = background == BackgroundColor.White ? 1f : 0f;
        var images = ImageFile.ReadAll(paths, image =>
        {
            if (downscale > 1)
            {
                image = ImageOps.DownsampleArea(image, downscale);
            }

            return image.Channels == 4 ? ImageOps.CompositeOver(image, bg, bg, bg)
                : image.Channels == 3 ? image : ImageOps.ToRgb(image);
        }, cache: cache, transformKey: $"capture rgb; area downscale {downscale}; over {bg}");
        for (int i = 0; i < images.Length; i++)
        {
            var k = cameras[i].Intrinsics;
            if (images[i].Width != k.Width || images[i].Height != k.Height)
            {
                throw new DataFormatException(paths[i], $"image is {images[i].Width}x{images[i].Height} (after downscale {downscale}) but its camera says {k.Width}x{k.Height}");
            }
        }

        return images;
    }
}
