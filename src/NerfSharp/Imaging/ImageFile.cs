using System.Runtime.ExceptionServices;

namespace NerfSharp.Imaging;

/// <summary>
/// Reads image files whatever their format, chosen by the file's leading bytes: PNG through the project's
/// own <see cref="PngDecoder"/>, JPEG through <see cref="JpegDecoder"/>. Also decodes many files at once in parallel,
/// results in input order, the first failing file (in input order) reported whatever the thread timing.
/// </summary>
public static class ImageFile
{
    /// <summary>Decodes one PNG or JPEG file into a float image (1..4 channels as stored; JPEG EXIF orientation applied).</summary>
    public static Image Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = JpegDecoder.ReadBytes(path);
        if (bytes.Length >= 8 && bytes[0] == 137 && bytes[1] == 80 && bytes[2] == 78 && bytes[3] == 71)
        {
            return PngDecoder.Decode(bytes, path).ToImage();
        }

        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8)
        {
            return JpegDecoder.Decode(bytes, path);
        }

        throw new DataFormatException(path, "not a PNG or JPEG file (unknown leading bytes)");
    }

    /// <summary>The displayed width and height of a PNG or JPEG file (JPEG: after EXIF orientation) from its header, without decoding.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = JpegDecoder.ReadBytes(path);
        if (bytes.Length >= 24 && bytes[0] == 137 && bytes[1] == 80 && bytes[2] == 78 && bytes[3] == 71)
        {
            return ((int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16)), (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20)));
        }

        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8)
        {
            return JpegInfo.Parse(bytes, path).OrientedSize;
        }

        throw new DataFormatException(path, "not a PNG or JPEG file (unknown leading bytes)");
    }

    /// <summary>
    /// Decodes every file of <paramref name="paths"/> on up to <paramref name="maxParallelism"/> threads
    /// (default: the processor count), applying <paramref name="transform"/> (e.g. a downscale or an RGB conversion) to each
    /// on the same thread so that only transformed images are kept. Output order is input order. With a
    /// <paramref name="cache"/>, each transformed image is read from it when present (<paramref name="transformKey"/> names
    /// the transform) and stored there after decoding otherwise.
    /// </summary>
    public static Image[] ReadAll(IReadOnlyList<string> paths, Func<Image, Image>? transform = null, int maxParallelism = 0, DecodedImageCache? cache = null, string transformKey = "")
    {
        ArgumentNullException.ThrowIfNull(paths);
        var images = new Image[paths.Count];
        var failures = new Exception?[paths.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount };
        Parallel.For(0, paths.Count, options, i =>
        {
            try
            {
                Image Decode()
                {
                    Image image = Read(paths[i]);
                    return transform is null ? image : transform(image);
                }

                images[i] = cache is null ? Decode() : cache.GetOrAdd(paths[i], transformKey, Decode);
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        });

        foreach (var failure in failures)
        {
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }

        return images;
    }
}
