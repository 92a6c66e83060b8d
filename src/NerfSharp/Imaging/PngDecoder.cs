using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NerfSharp.Imaging;

/// <summary>
/// Managed PNG decoder over <see cref="ZLibStream"/>: every colour type (gray, RGB, palette, gray+alpha, RGBA),
/// every bit depth (1, 2, 4, 8, 16), tRNS (palette alpha and colour key), the five row filters, Adam7
/// interlacing, IDAT data split over several chunks. Every chunk's CRC is checked. Ancillary chunks other
/// than tRNS (gamma, text, ...) are read past and not applied. Truncated or corrupt input throws
/// <see cref="DataFormatException"/> naming the source and the problem.
/// </summary>
public static class PngDecoder
{
    /// <summary>The largest image decoded, in pixels (8192 x 8192): bounds the memory a header can ask for.</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>Deflate's largest expansion (258-byte matches from about 2 bits each), rounded up.</summary>
    private const long MaxDeflateRatio = 1040;

    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Adam7 passes: x start, y start, x step, y step.</summary>
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    /// <summary>Reads and decodes a PNG file into a float image in [0, 1] (sample / 255 or sample / 65535).</summary>
    public static Image ReadImage(string path) => Read(path).ToImage();

    /// <summary>
    /// Width, height and decoded channel count from a PNG file's IHDR alone (palette images count as RGB; a tRNS chunk,
    /// which may add alpha, is not read). For sizing memory before decoding.
    /// </summary>
    public static (int Width, int Height, int Channels) ReadHeader(string path)
    {
        var head = new byte[Signature.Length + 8 + 13];
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, "image file does not exist", e);
        }

        ReadOnlySpan<byte> bytes = head.AsSpan(0, read);
        if (read < head.Length || !bytes[..Signature.Length].SequenceEqual(Signature) || !bytes.Slice(Signature.Length + 4, 4).SequenceEqual("IHDR"u8))
        {
            throw new DataFormatException(path, "not a PNG file (no IHDR chunk at its start)");
        }

        var h = Header.Parse(bytes[(Signature.Length + 8)..], path);
        return (h.Width, h.Height, h.ColorType == 3 ? 3 : h.SamplesPerPixel);
    }

    /// <summary>Reads and decodes a PNG file into its integer samples.</summary>
    public static DecodedPng Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, "image file does not exist", e);
        }

        return Decode(bytes, path);
    }

    /// <summary>Decodes PNG bytes; <paramref name="sourceName"/> (usually the file path) names the input in errors.</summary>
    public static DecodedPng Decode(ReadOnlySpan<byte> bytes, string sourceName)
    {
        var chunks = ReadChunks(bytes, sourceName);
        var h = chunks.Header;
        long rawSize = RawSize(h);
        CheckDeclaredSize(h, rawSize, chunks.ImageDataLength, sourceName);
        byte[] raw = Inflate(chunks.ImageData, chunks.ImageDataLength, rawSize, sourceName);
        var layout = new SampleLayout(h, chunks.Palette, chunks.Transparency, sourceName);
        var samples = new ushort[(long)h.Width * h.Height * layout.OutChannels];

        int bitsPerPixel = h.SamplesPerPixel * h.BitDepth;
        int filterStride = Math.Max(1, bitsPerPixel / 8);
        var zeroRow = new byte[RowBytes(h.Width, bitsPerPixel)];
        int offset = 0;
        foreach (var (x0, y0, dx, dy) in h.Interlaced ? Adam7 : [(0, 0, 1, 1)])
        {
            int passWidth = (h.Width - x0 + dx - 1) / dx;
            int passHeight = (h.Height - y0 + dy - 1) / dy;
            if (passWidth == 0 || passHeight == 0)
            {
                continue;
            }

            int rowBytes = RowBytes(passWidth, bitsPerPixel);
            for (int y = 0; y < passHeight; y++)
            {
                int filter = raw[offset];
                if (filter > 4)
                {
                    throw new DataFormatException(sourceName, $"corrupt image data: unknown filter type {filter} on row {y0 + (y * dy)}");
                }

                Span<byte> row = raw.AsSpan(offset + 1, rowBytes);
                ReadOnlySpan<byte> previous = y == 0 ? zeroRow.AsSpan(0, rowBytes) : raw.AsSpan(offset + 1 - (rowBytes + 1), rowBytes);
                Unfilter(filter, row, previous, filterStride);
                int pixelIndex = ((y0 + (y * dy)) * h.Width) + x0;
                layout.Expand(row, passWidth, samples, pixelIndex * layout.OutChannels, dx * layout.OutChannels);
                offset += rowBytes + 1;
            }
        }

        return new DecodedPng(h.Width, h.Height, layout.OutChannels, h.BitDepth == 16 ? 16 : 8, samples);
    }

    /// <summary>
    /// Reverses one PNG row filter in place; <paramref name="bpp"/> is the byte distance to the left neighbour
    /// (bytes per pixel, at least 1). Bytes left of the first pixel and the row above the first row count as 0.
    /// Sub, Average and Paeth depend on the byte bpp to the left, so each runs as bpp independent chains.
    /// </summary>
    private static void Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        int n = row.Length;
        int head = Math.Min(bpp, n);
        ref byte x = ref MemoryMarshal.GetReference(row);
        ref byte up = ref MemoryMarshal.GetReference(previous);
        switch (filter)
        {
            case 1: // Sub: x += left
                for (int i = bpp; i < n; i++)
                {
                    Unsafe.Add(ref x, i) += Unsafe.Add(ref x, i - bpp);
                }

                break;
            case 2: // Up: x += above, 16 bytes at a time (byte lanes wrap modulo 256 as the filter does)
                int v = 0;
                for (; v + Vector128<byte>.Count <= n; v += Vector128<byte>.Count)
                {
                    var sum = Vector128.LoadUnsafe(ref x, (nuint)v) + Vector128.LoadUnsafe(ref up, (nuint)v);
                    sum.StoreUnsafe(ref x, (nuint)v);
                }

                for (; v < n; v++)
                {
                    Unsafe.Add(ref x, v) += Unsafe.Add(ref up, v);
                }

                break;
            case 3: // Average: x += floor((left + above) / 2)
                for (int i = 0; i < head; i++)
                {
                    Unsafe.Add(ref x, i) += (byte)(Unsafe.Add(ref up, i) >> 1);
                }

                for (int i = bpp; i < n; i++)
                {
                    Unsafe.Add(ref x, i) += (byte)((Unsafe.Add(ref x, i - bpp) + Unsafe.Add(ref up, i)) >> 1);
                }

                break;
            case 4: // Paeth: x += the one of left a, above b, upper-left c nearest to a + b - c (ties: a, b, c)
                for (int i = 0; i < head; i++)
                {
                    Unsafe.Add(ref x, i) += Unsafe.Add(ref up, i);
                }

                for (int i = bpp; i < n; i++)
                {
                    int a = Unsafe.Add(ref x, i - bpp), b = Unsafe.Add(ref up, i), c = Unsafe.Add(ref up, i - bpp);
                    int pa = b - c, pb = a - c;
                    int pc = Math.Abs(pa + pb);
                    pa = Math.Abs(pa);
                    pb = Math.Abs(pb);
                    int predictor = pb <= pc ? b : c;
                    predictor = pa <= pb && pa <= pc ? a : predictor;
                    Unsafe.Add(ref x, i) += (byte)predictor;
                }

                break;
        }
    }

    private static int RowBytes(int width, int bitsPerPixel) => (int)((((long)width * bitsPerPixel) + 7) / 8);

    /// <summary>Size of the filtered image data: every non-empty (interlace pass) row has a filter byte and its packed samples.</summary>
    private static long RawSize(Header h)
    {
        int bitsPerPixel = h.SamplesPerPixel * h.BitDepth;
        long total = 0;
        foreach (var (x0, y0, dx, dy) in h.Interlaced ? Adam7 : [(0, 0, 1, 1)])
        {
            long passWidth = ((long)h.Width - x0 + dx - 1) / dx;
            long passHeight = ((long)h.Height - y0 + dy - 1) / dy;
            if (passWidth > 0 && passHeight > 0)
            {
                total += passHeight * (1 + (((passWidth * bitsPerPixel) + 7) / 8));
            }
        }

        return total;
    }

    /// <summary>
    /// Rejects a header whose size the file cannot back before anything is allocated from it: more than
    /// <see cref="MaxPixels"/> pixels, or more filtered bytes than the IDAT data can inflate to (deflate expands
    /// at most about 1032:1), which is a truncated or corrupt file claiming gigabytes.
    /// </summary>
    private static void CheckDeclaredSize(Header h, long rawSize, int compressedLength, string sourceName)
    {
        long pixels = (long)h.Width * h.Height;
        if (pixels > MaxPixels)
        {
            throw new DataFormatException(sourceName, $"image of {h.Width}x{h.Height} pixels exceeds the decoder's limit of {MaxPixels} pixels");
        }

        if (rawSize > ((long)compressedLength * MaxDeflateRatio) + 1024)
        {
            throw new DataFormatException(sourceName, $"truncated or corrupt: the header declares {h.Width}x{h.Height} pixels ({rawSize} bytes of image data) but the {compressedLength} bytes of IDAT data cannot hold that much");
        }
    }

    private static byte[] Inflate(byte[] compressed, int length, long expected, string sourceName)
    {
        if (expected > Array.MaxLength)
        {
            throw new DataFormatException(sourceName, $"image too large to decode ({expected} bytes of image data)");
        }

        var raw = new byte[expected];
        try
        {
            using var input = new MemoryStream(compressed, 0, length, writable: false);
            using var z = new ZLibStream(input, CompressionMode.Decompress);
            int got = z.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length)
            {
                throw new DataFormatException(sourceName, $"truncated image data: IDAT holds {got} of {expected} bytes");
            }

            // Read on to the end of the zlib stream so that its Adler-32 checksum is verified.
            Span<byte> rest = stackalloc byte[256];
            while (z.Read(rest) > 0)
            {
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(sourceName, $"corrupt zlib data in IDAT: {e.Message}", e);
        }

        return raw;
    }

    private static Chunks ReadChunks(ReadOnlySpan<byte> bytes, string sourceName)
    {
        if (bytes.Length < Signature.Length || !bytes[..Signature.Length].SequenceEqual(Signature))
        {
            throw new DataFormatException(sourceName, bytes.Length < Signature.Length && Signature.StartsWith(bytes)
                ? "truncated: the file ends inside the PNG signature"
                : "not a PNG file (bad signature)");
        }

        Header? header = null;
        byte[]? palette = null;
        byte[]? transparency = null;
        using var imageData = new MemoryStream();
        bool idatSeen = false, idatEnded = false;
        int pos = Signature.Length;
        while (true)
        {
            if (pos == bytes.Length)
            {
                throw new DataFormatException(sourceName, "truncated: the file ends before the IEND chunk");
            }

            if (bytes.Length - pos < 12)
            {
                throw new DataFormatException(sourceName, $"truncated: incomplete chunk at byte {pos}");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes[pos..]);
            ReadOnlySpan<byte> typeBytes = bytes.Slice(pos + 4, 4);
            foreach (byte b in typeBytes)
            {
                if (!char.IsAsciiLetter((char)b))
                {
                    throw new DataFormatException(sourceName, $"corrupt chunk header at byte {pos} (type is not four letters)");
                }
            }

            string type = System.Text.Encoding.ASCII.GetString(typeBytes);
            if (length > int.MaxValue)
            {
                throw new DataFormatException(sourceName, $"corrupt {type} chunk at byte {pos}: length {length} is out of range");
            }

            if (bytes.Length - pos - 12 < length)
            {
                throw new DataFormatException(sourceName, $"truncated: {type} chunk at byte {pos} declares {length} bytes, only {bytes.Length - pos - 12} follow");
            }

            ReadOnlySpan<byte> data = bytes.Slice(pos + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(bytes[(pos + 8 + (int)length)..]);
            uint computed = Crc32.Compute(bytes.Slice(pos + 4, (int)length + 4));
            if (stored != computed)
            {
                throw new DataFormatException(sourceName, $"CRC mismatch in {type} chunk at byte {pos} (stored 0x{stored:X8}, computed 0x{computed:X8})");
            }

            if (header is null && type != "IHDR")
            {
                throw new DataFormatException(sourceName, $"the first chunk is {type}, expected IHDR");
            }

            if (idatSeen && type != "IDAT")
            {
                idatEnded = true;
            }

            switch (type)
            {
                case "IHDR":
                    if (header is not null)
                    {
                        throw new DataFormatException(sourceName, "more than one IHDR chunk");
                    }

                    header = Header.Parse(data, sourceName);
                    break;
                case "PLTE":
                    if (palette is not null || idatSeen)
                    {
                        throw new DataFormatException(sourceName, idatSeen ? "PLTE chunk after image data" : "more than one PLTE chunk");
                    }

                    if (header!.ColorType is 0 or 4)
                    {
                        throw new DataFormatException(sourceName, "PLTE chunk in a grayscale image");
                    }

                    if (length == 0 || length % 3 != 0 || length > 768)
                    {
                        throw new DataFormatException(sourceName, $"PLTE chunk of {length} bytes (must hold 1..256 RGB entries)");
                    }

                    palette = data.ToArray();
                    break;
                case "tRNS":
                    if (idatSeen)
                    {
                        throw new DataFormatException(sourceName, "tRNS chunk after image data");
                    }

                    if (header!.ColorType == 3 && palette is null)
                    {
                        throw new DataFormatException(sourceName, "tRNS chunk before PLTE");
                    }

                    transparency = data.ToArray();
                    break;
                case "IDAT":
                    if (idatEnded)
                    {
                        throw new DataFormatException(sourceName, "IDAT chunks are not consecutive");
                    }

                    idatSeen = true;
                    imageData.Write(data);
                    break;
                case "IEND":
                    if (!idatSeen)
                    {
                        throw new DataFormatException(sourceName, "no IDAT chunk (no image data)");
                    }

                    if (header!.ColorType == 3 && palette is null)
                    {
                        throw new DataFormatException(sourceName, "palette image without a PLTE chunk");
                    }

                    return new Chunks(header, palette, transparency, imageData.GetBuffer(), (int)imageData.Length);
                default:
                    if ((typeBytes[0] & 0x20) == 0)
                    {
                        throw new DataFormatException(sourceName, $"unknown critical chunk {type}");
                    }

                    break;
            }

            pos += 12 + (int)length;
        }
    }

    private sealed record Chunks(Header Header, byte[]? Palette, byte[]? Transparency, byte[] ImageData, int ImageDataLength);

    /// <summary>The IHDR fields that decoding needs.</summary>
    private sealed record Header(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
    {
        /// <summary>Samples stored per pixel in the file: gray 1, RGB 3, palette index 1, gray+alpha 2, RGBA 4.</summary>
        public int SamplesPerPixel => ColorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };

        public static Header Parse(ReadOnlySpan<byte> d, string sourceName)
        {
            if (d.Length != 13)
            {
                throw new DataFormatException(sourceName, $"IHDR chunk of {d.Length} bytes, expected 13");
            }

            int width = BinaryPrimitives.ReadInt32BigEndian(d);
            int height = BinaryPrimitives.ReadInt32BigEndian(d[4..]);
            int depth = d[8], colorType = d[9];
            if (width <= 0 || height <= 0)
            {
                throw new DataFormatException(sourceName, $"invalid image size {(uint)width}x{(uint)height}");
            }

            bool depthOk = colorType switch
            {
                0 => depth is 1 or 2 or 4 or 8 or 16,
                3 => depth is 1 or 2 or 4 or 8,
                2 or 4 or 6 => depth is 8 or 16,
                _ => throw new DataFormatException(sourceName, $"invalid colour type {colorType}"),
            };
            if (!depthOk)
            {
                throw new DataFormatException(sourceName, $"invalid bit depth {depth} for colour type {colorType}");
            }

            if (d[10] != 0 || d[11] != 0)
            {
                throw new DataFormatException(sourceName, $"unknown compression method {d[10]} or filter method {d[11]}");
            }

            if (d[12] > 1)
            {
                throw new DataFormatException(sourceName, $"unknown interlace method {d[12]}");
            }

            return new Header(width, height, depth, colorType, d[12] == 1);
        }
    }

    /// <summary>
    /// Turns one unfiltered row of packed file samples into output samples: palette lookup, sub-8-bit gray
    /// scaled to 0..255 (v * 255 / (2^depth - 1)), colour key or palette alpha into an alpha channel.
    /// </summary>
    private sealed class SampleLayout
    {
        private readonly int colorType;
        private readonly int depth;
        private readonly int grayScale;
        private readonly ushort maxValue;
        private readonly string sourceName;

        // Colour key (gray uses keyR only), or -1 without a colour-key tRNS.
        private readonly int keyR = -1, keyG = -1, keyB = -1;

        // Palette expanded to 4 bytes (RGBA) per entry.
        private readonly byte[] palette = [];
        private readonly int paletteEntries;

        public SampleLayout(Header h, byte[]? plte, byte[]? trns, string sourceName)
        {
            colorType = h.ColorType;
            depth = h.BitDepth;
            grayScale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
            maxValue = (ushort)(depth == 16 ? 65535 : 255);
            this.sourceName = sourceName;
            bool alpha = colorType is 4 or 6;
            switch (colorType)
            {
                case 0 when trns is not null:
                    if (trns.Length != 2)
                    {
                        throw new DataFormatException(sourceName, $"tRNS chunk of {trns.Length} bytes for a gray image, expected 2");
                    }

                    keyR = BinaryPrimitives.ReadUInt16BigEndian(trns);
                    alpha = true;
                    break;
                case 2 when trns is not null:
                    if (trns.Length != 6)
                    {
                        throw new DataFormatException(sourceName, $"tRNS chunk of {trns.Length} bytes for an RGB image, expected 6");
                    }

                    keyR = BinaryPrimitives.ReadUInt16BigEndian(trns);
                    keyG = BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(2));
                    keyB = BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(4));
                    alpha = true;
                    break;
                case 3:
                    paletteEntries = plte!.Length / 3;
                    if (trns is not null && trns.Length > paletteEntries)
                    {
                        throw new DataFormatException(sourceName, $"tRNS chunk has {trns.Length} entries, the palette only {paletteEntries}");
                    }

                    palette = new byte[paletteEntries * 4];
                    for (int i = 0; i < paletteEntries; i++)
                    {
                        palette[4 * i] = plte[3 * i];
                        palette[(4 * i) + 1] = plte[(3 * i) + 1];
                        palette[(4 * i) + 2] = plte[(3 * i) + 2];
                        palette[(4 * i) + 3] = trns is not null && i < trns.Length ? trns[i] : (byte)255;
                    }

                    alpha = trns is not null;
                    break;
            }

            // tRNS is not allowed with gray+alpha or RGBA; such a chunk is ignored (as libpng does).
            OutChannels = (colorType is 0 or 4 ? 1 : 3) + (alpha ? 1 : 0);
        }

        public int OutChannels { get; }

        /// <summary>Writes <paramref name="count"/> pixels of <paramref name="row"/> to dst[start], dst[start + stride], ...</summary>
        public void Expand(ReadOnlySpan<byte> row, int count, Span<ushort> dst, int start, int stride)
        {
            if (keyR < 0 && colorType != 3 && depth >= 8)
            {
                // Samples are copied as they are: only the byte order of 16-bit samples changes.
                int n = OutChannels;
                if (depth == 8 && stride == n)
                {
                    WidenBytes(row[..(count * n)], dst.Slice(start, count * n));
                    return;
                }

                for (int x = 0, o = start; x < count; x++, o += stride)
                {
                    for (int c = 0; c < n; c++)
                    {
                        dst[o + c] = depth == 8 ? row[(x * n) + c] : BinaryPrimitives.ReadUInt16BigEndian(row[(2 * ((x * n) + c))..]);
                    }
                }

                return;
            }

            for (int x = 0, o = start; x < count; x++, o += stride)
            {
                switch (colorType)
                {
                    case 0:
                        {
                            int v = Sample(row, x);
                            dst[o] = (ushort)(v * grayScale);
                            if (keyR >= 0)
                            {
                                dst[o + 1] = v == keyR ? (ushort)0 : maxValue;
                            }

                            break;
                        }

                    case 2:
                        {
                            int r = Sample(row, 3 * x), g = Sample(row, (3 * x) + 1), b = Sample(row, (3 * x) + 2);
                            dst[o] = (ushort)r;
                            dst[o + 1] = (ushort)g;
                            dst[o + 2] = (ushort)b;
                            dst[o + 3] = r == keyR && g == keyG && b == keyB ? (ushort)0 : maxValue;
                            break;
                        }

                    default: // 3: palette
                        {
                            int index = Sample(row, x);
                            if (index >= paletteEntries)
                            {
                                throw new DataFormatException(sourceName, $"corrupt image data: palette index {index} but the palette has {paletteEntries} entries");
                            }

                            for (int c = 0; c < OutChannels; c++)
                            {
                                dst[o + c] = palette[(4 * index) + c];
                            }

                            break;
                        }
                }
            }
        }

        /// <summary>dst[i] = src[i], 16 bytes at a time: each byte lane zero-extended to a 16-bit lane; scalar tail.</summary>
        private static void WidenBytes(ReadOnlySpan<byte> src, Span<ushort> dst)
        {
            ref byte s = ref MemoryMarshal.GetReference(src);
            ref ushort d = ref MemoryMarshal.GetReference(dst);
            int i = 0;
            for (; i + Vector128<byte>.Count <= src.Length; i += Vector128<byte>.Count)
            {
                var bytes = Vector128.LoadUnsafe(ref s, (nuint)i);
                Vector128.WidenLower(bytes).StoreUnsafe(ref d, (nuint)i);
                Vector128.WidenUpper(bytes).StoreUnsafe(ref d, (nuint)(i + Vector128<ushort>.Count));
            }

            for (; i < src.Length; i++)
            {
                Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
            }
        }

        /// <summary>The i-th packed sample of a row (MSB-first within bytes for depths below 8).</summary>
        private int Sample(ReadOnlySpan<byte> row, int i)
        {
            switch (depth)
            {
                case 8:
                    return row[i];
                case 16:
                    return BinaryPrimitives.ReadUInt16BigEndian(row[(2 * i)..]);
                default:
                    int bit = i * depth;
                    return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
            }
        }
    }
}
