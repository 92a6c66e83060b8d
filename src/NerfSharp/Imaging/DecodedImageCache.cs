using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using NerfSharp.IO;

namespace NerfSharp.Imaging;

/// <summary>
/// A folder of decoded images, so that a dataset is decoded once and later loads read raw pixels. An entry is keyed by
/// a SHA-256 of the source file's bytes and by a description of what was done to it after decoding (downscale,
/// compositing), so a changed file or option is decoded afresh (hashing a file costs far less than decoding it). Entries hold 8-bit samples when every value
/// is an exact byte / 255 (undownscaled photos) and floats otherwise, and are written atomically; an entry that cannot be
/// read is decoded again and a cache that cannot be written is skipped, so the cache never changes what loading returns.
/// Location: NERFSHARP_IMAGE_CACHE if set ("off" disables it), else $XDG_CACHE_HOME/nerfsharp/images or ~/.cache/nerfsharp/images.
/// </summary>
public sealed class DecodedImageCache
{
    private const uint Magic = 0x4349534E; // "NSIC"
    private const int Version = 1;
    private const int HeaderBytes = 24;

    public DecodedImageCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The folder the entries live in.</summary>
    public string Directory { get; }

    /// <summary>The cache the environment names (see the class summary), or null when it is turned off.</summary>
    public static DecodedImageCache? FromEnvironment()
    {
        string? named = Environment.GetEnvironmentVariable("NERFSHARP_IMAGE_CACHE");
        if (named is "off" or "0" or "none")
        {
            return null;
        }

        if (!string.IsNullOrEmpty(named))
        {
            return new DecodedImageCache(named);
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string root = !string.IsNullOrEmpty(xdg) ? xdg : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache") : Path.GetTempPath();
        return new DecodedImageCache(Path.Combine(root, "nerfsharp", "images"));
    }

    /// <summary>The cached image of <paramref name="sourcePath"/> after <paramref name="transformKey"/>, or what <paramref name="decode"/> makes (then stored).</summary>
    public Image GetOrAdd(string sourcePath, string transformKey, Func<Image> decode)
    {
        string? entry = EntryPath(sourcePath, transformKey);
        if (entry is not null && TryRead(entry) is { } cached)
        {
            return cached;
        }

        Image image = decode();
        if (entry is not null)
        {
            TryWrite(entry, image);
        }

        return image;
    }

    private string? EntryPath(string sourcePath, string transformKey)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(sourcePath);
        }
        catch (IOException)
        {
            return null; // the decoder reports the missing or unreadable file
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The content itself, not its name or time: a file rewritten within one timestamp tick is still a new key.
        byte[] key = [.. SHA256.HashData(content), .. Encoding.UTF8.GetBytes(transformKey)];
        string hash = Convert.ToHexStringLower(SHA256.HashData(key))[..32];
        return Path.Combine(Directory, hash[..2], hash + ".img");
    }

    private static Image? TryRead(string entry)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(entry);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) != Version)
        {
            return null;
        }

        int width = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        int height = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        int channels = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        int bytesPerSample = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20));
        long samples = (long)width * height * channels;
        if (width <= 0 || height <= 0 || channels is < 1 or > 4 || bytesPerSample is not (1 or 4) || samples > int.MaxValue
            || bytes.Length != HeaderBytes + (samples * bytesPerSample))
        {
            return null;
        }

        var pixels = new float[samples];
        ReadOnlySpan<byte> data = bytes.AsSpan(HeaderBytes);
        if (bytesPerSample == 4)
        {
            MemoryMarshal.Cast<byte, float>(data).CopyTo(pixels);
        }
        else
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = data[i] / 255f;
            }
        }

        return new Image(width, height, channels, pixels);
    }

    private static void TryWrite(string entry, Image image)
    {
        float[] pixels = image.Pixels;
        bool bytesSuffice = true;
        for (int i = 0; i < pixels.Length && bytesSuffice; i++)
        {
            float scaled = pixels[i] * 255f;
            bytesSuffice = scaled >= 0 && scaled <= 255 && MathF.Round(scaled) / 255f == pixels[i];
        }

        int bytesPerSample = bytesSuffice ? 1 : 4;
        var bytes = new byte[HeaderBytes + ((long)pixels.Length * bytesPerSample)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), image.Width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), image.Height);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), image.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), bytesPerSample);
        Span<byte> data = bytes.AsSpan(HeaderBytes);
        if (bytesSuffice)
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                data[i] = (byte)MathF.Round(pixels[i] * 255f);
            }
        }
        else
        {
            MemoryMarshal.AsBytes(pixels.AsSpan()).CopyTo(data);
        }

        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
            AtomicFile.WriteAllBytes(entry, bytes);
        }
        catch (IOException)
        {
            // A full or read-only disk only costs the next load a decode.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
