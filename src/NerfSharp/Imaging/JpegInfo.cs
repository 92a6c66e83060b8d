using System.Buffers.Binary;

namespace NerfSharp.Imaging;

/// <summary>
/// What a JPEG's marker segments say before any pixel is decoded: size, frame type (SOF marker),
/// sample precision, component count and sampling factors, restart interval, and the EXIF orientation (1 when absent).
/// <see cref="Parse"/> validates the structure and refuses what <see cref="JpegDecoder"/> does not accept,
/// with a <see cref="DataFormatException"/> naming the file.
/// </summary>
public sealed record JpegInfo(
    int Width,
    int Height,
    int FrameMarker,
    int Precision,
    int Components,
    IReadOnlyList<(int H, int V)> Sampling,
    int RestartInterval,
    int Orientation,
    bool AdobeTransformPresent)
{
    /// <summary>SOF2: progressive Huffman.</summary>
    public bool Progressive => FrameMarker == 0xC2;

    /// <summary>Width and height as displayed, after the EXIF orientation (5..8 swap the axes).</summary>
    public (int Width, int Height) OrientedSize => Orientation >= 5 ? (Height, Width) : (Width, Height);

    /// <summary>Scans the marker segments up to the first scan and checks an end-of-image marker follows it.</summary>
    public static JpegInfo Parse(ReadOnlySpan<byte> d, string sourceName)
    {
        if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8)
        {
            throw new DataFormatException(sourceName, "not a JPEG file (no start-of-image marker FF D8)");
        }

        int pos = 2;
        int frameMarker = -1, precision = 0, width = 0, height = 0, components = 0, restart = 0, orientation = 1;
        bool adobe = false;
        var sampling = new List<(int H, int V)>();
        while (true)
        {
            // Markers may be preceded by any number of 0xFF fill bytes.
            if (pos >= d.Length || d[pos] != 0xFF)
            {
                throw new DataFormatException(sourceName, pos >= d.Length
                    ? "truncated JPEG: the file ends before the first scan"
                    : $"malformed JPEG: expected a marker at byte {pos}, found 0x{d[pos]:X2}");
            }

            while (pos < d.Length && d[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= d.Length)
            {
                throw new DataFormatException(sourceName, "truncated JPEG: the file ends inside a marker");
            }

            int marker = d[pos++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }

            if (marker == 0xD9)
            {
                throw new DataFormatException(sourceName, "malformed JPEG: end-of-image before any scan");
            }

            if (pos + 2 > d.Length)
            {
                throw new DataFormatException(sourceName, "truncated JPEG: the file ends inside a segment header");
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(d[pos..]);
            if (length < 2 || pos + length > d.Length)
            {
                throw new DataFormatException(sourceName, $"truncated JPEG: segment 0xFF{marker:X2} at byte {pos - 2} claims {length} bytes, the file has {d.Length - pos}");
            }

            ReadOnlySpan<byte> body = d.Slice(pos + 2, length - 2);
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    if (frameMarker >= 0)
                    {
                        throw new DataFormatException(sourceName, "malformed JPEG: more than one frame header");
                    }

                    if (body.Length < 6)
                    {
                        throw new DataFormatException(sourceName, "malformed JPEG: frame header too short");
                    }

                    frameMarker = marker;
                    precision = body[0];
                    height = BinaryPrimitives.ReadUInt16BigEndian(body[1..]);
                    width = BinaryPrimitives.ReadUInt16BigEndian(body[3..]);
                    components = body[5];
                    if (body.Length < 6 + (3 * components))
                    {
                        throw new DataFormatException(sourceName, "malformed JPEG: frame header shorter than its component list");
                    }

                    for (int c = 0; c < components; c++)
                    {
                        int hv = body[6 + (3 * c) + 1];
                        sampling.Add((hv >> 4, hv & 15));
                    }

                    break;
                case 0xC3 or 0xC5 or 0xC6 or 0xC7 or 0xC9 or 0xCA or 0xCB or 0xCD or 0xCE or 0xCF:
                    throw new DataFormatException(sourceName, $"unsupported JPEG: {FrameKind(marker)} (SOF marker 0xFF{marker:X2}); only baseline, extended sequential and progressive Huffman JPEG are read");
                case 0xDD:
                    restart = body.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(body) : 0;
                    break;
                case 0xE1:
                    orientation = ExifOrientation(body, orientation);
                    break;
                case 0xEE:
                    adobe |= body.Length >= 5 && body[..5].SequenceEqual("Adobe"u8);
                    break;
                case 0xDA:
                    return Finish(d, pos + length, sourceName, frameMarker, precision, width, height, components, sampling, restart, orientation, adobe);
            }

            pos += length;
        }
    }

    private static JpegInfo Finish(
        ReadOnlySpan<byte> d, int scanStart, string sourceName, int frameMarker, int precision, int width, int height, int components,
        List<(int H, int V)> sampling, int restart, int orientation, bool adobe)
    {
        if (frameMarker < 0)
        {
            throw new DataFormatException(sourceName, "malformed JPEG: a scan starts before any frame header");
        }

        if (precision != 8)
        {
            throw new DataFormatException(sourceName, $"unsupported JPEG: {precision}-bit samples (only 8-bit JPEG is read)");
        }

        if (width == 0 || height == 0)
        {
            throw new DataFormatException(sourceName, $"unsupported JPEG: image size {width}x{height} (a zero height defined later by DNL is not read)");
        }

        if (components == 4)
        {
            throw new DataFormatException(sourceName, "unsupported JPEG: 4 components (CMYK or YCCK); convert it to RGB first, e.g. `convert in.jpg -colorspace sRGB out.jpg`");
        }

        if (components is not (1 or 3))
        {
            throw new DataFormatException(sourceName, $"unsupported JPEG: {components} colour components (only grayscale and 3-component colour are read)");
        }

        foreach (var (h, v) in sampling)
        {
            if (h is < 1 or > 4 || v is < 1 or > 4)
            {
                throw new DataFormatException(sourceName, $"malformed JPEG: sampling factors {h}x{v} outside 1..4");
            }
        }

        // Entropy-coded data never holds FF D9 (a data byte FF is followed by a stuffed 00), so the end-of-image
        // marker after the first scan is the file's end; its absence means the file was cut short.
        bool hasEnd = false;
        for (int i = d.Length - 2; i >= scanStart; i--)
        {
            if (d[i] == 0xFF && d[i + 1] == 0xD9)
            {
                hasEnd = true;
                break;
            }
        }

        if (!hasEnd)
        {
            throw new DataFormatException(sourceName, "truncated JPEG: no end-of-image marker after the image data");
        }

        return new JpegInfo(width, height, frameMarker, precision, components, sampling, restart, orientation, adobe);
    }

    private static string FrameKind(int marker) => marker switch
    {
        0xC3 => "lossless",
        0xC5 or 0xC6 or 0xC7 => "hierarchical (differential)",
        0xCD or 0xCE or 0xCF => "hierarchical arithmetic-coded",
        _ => "arithmetic-coded",
    };

    /// <summary>The Orientation tag (0x0112) of IFD0 in an APP1 "Exif" segment; <paramref name="current"/> when absent or malformed.</summary>
    private static int ExifOrientation(ReadOnlySpan<byte> body, int current)
    {
        if (body.Length < 14 || !body[..6].SequenceEqual("Exif\0\0"u8))
        {
            return current;
        }

        ReadOnlySpan<byte> tiff = body[6..];
        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I')
        {
            little = true;
        }
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M')
        {
            little = false;
        }
        else
        {
            return current;
        }

        long ifd = little ? BinaryPrimitives.ReadUInt32LittleEndian(tiff[4..]) : BinaryPrimitives.ReadUInt32BigEndian(tiff[4..]);
        if (ifd < 8 || ifd + 2 > tiff.Length)
        {
            return current;
        }

        int count = U16(tiff, (int)ifd, little);
        for (int e = 0; e < count; e++)
        {
            int at = (int)ifd + 2 + (12 * e);
            if (at + 12 > tiff.Length)
            {
                return current;
            }

            if (U16(tiff, at, little) == 0x0112 && U16(tiff, at + 2, little) == 3)
            {
                int value = U16(tiff, at + 8, little);
                return value is >= 1 and <= 8 ? value : current;
            }
        }

        return current;
    }

    private static int U16(ReadOnlySpan<byte> s, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(s[at..]) : BinaryPrimitives.ReadUInt16BigEndian(s[at..]);
}
