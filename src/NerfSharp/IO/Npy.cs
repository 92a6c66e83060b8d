using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace NerfSharp.IO;

/// <summary>
/// A numeric array read from a NumPy <c>.npy</c> file: its shape, the stored element type, whether it was stored in
/// Fortran (column-major) order, and its values converted to double in C (row-major) order whatever the storage order.
/// 64-bit integers beyond 2^53 lose precision in the conversion.
/// </summary>
public sealed class NpyArray(string descr, char kind, int itemSize, bool bigEndian, bool fortranOrder, int[] shape, double[] values)
{
    /// <summary>The dtype string as stored, e.g. "&lt;f8".</summary>
    public string Descr { get; } = descr;

    /// <summary>NumPy's kind character: 'f' float, 'i' signed, 'u' unsigned integer, 'b' bool.</summary>
    public char Kind { get; } = kind;

    /// <summary>Bytes per element (1, 2, 4 or 8).</summary>
    public int ItemSize { get; } = itemSize;

    public bool BigEndian { get; } = bigEndian;

    public bool FortranOrder { get; } = fortranOrder;

    public IReadOnlyList<int> Shape { get; } = shape;

    /// <summary>All elements as doubles, row-major (C order): element (i, j) of a 2-D array at i * Shape[1] + j.</summary>
    public double[] Values { get; } = values;

    public int Rank => Shape.Count;

    public double this[int i, int j] => Values[(i * Shape[1]) + j];
}

/// <summary>
/// Reader for NumPy's <c>.npy</c> format, versions 1.0, 2.0 and 3.0: the magic string, a little-endian header length
/// (2 bytes in 1.0, 4 in 2.0/3.0), a Python dict literal header ('descr', 'fortran_order', 'shape'; UTF-8 in 3.0) and the
/// raw data. Element types: float16/32/64, signed and unsigned integers of 1, 2, 4, 8 bytes, bool; either byte order;
/// C or Fortran order. Anything else (structured or object dtypes, complex, strings, truncated data) is refused with a
/// <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, ".npy file does not exist", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses .npy bytes; <paramref name="sourceName"/> (usually the path) names the input in errors.</summary>
    public static NpyArray Parse(ReadOnlySpan<byte> d, string sourceName)
    {
        if (d.Length < 10 || !d[..6].SequenceEqual(Magic))
        {
            throw new DataFormatException(sourceName, "not a .npy file (no \\x93NUMPY magic string)");
        }

        int major = d[6];
        int headerStart, headerLength;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(d[8..]);
                headerStart = 10;
                break;
            case 2 or 3:
                if (d.Length < 12)
                {
                    throw new DataFormatException(sourceName, "truncated .npy file: the header length is cut short");
                }

                uint length = BinaryPrimitives.ReadUInt32LittleEndian(d[8..]);
                headerLength = length > int.MaxValue ? int.MaxValue : (int)length;
                headerStart = 12;
                break;
            default:
                throw new DataFormatException(sourceName, $"unsupported .npy format version {major}.{d[7]} (1.0, 2.0 and 3.0 are read)");
        }

        if ((long)headerStart + headerLength > d.Length)
        {
            throw new DataFormatException(sourceName, $"truncated .npy file: the header claims {headerLength} bytes, {d.Length - headerStart} remain");
        }

        string header;
        try
        {
            header = (major == 3 ? new UTF8Encoding(false, true) : Encoding.Latin1).GetString(d.Slice(headerStart, headerLength));
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(sourceName, "malformed .npy header: invalid UTF-8", e);
        }

        var (descr, fortran, shape) = ParseHeader(header, sourceName);
        var (kind, itemSize, bigEndian) = ParseDescr(descr, sourceName);
        long count = 1;
        foreach (int n in shape)
        {
            count *= n;
            if (count > int.MaxValue)
            {
                throw new DataFormatException(sourceName, $"array of shape ({string.Join(", ", shape)}) is too large");
            }
        }

        ReadOnlySpan<byte> data = d[(headerStart + headerLength)..];
        long needed = count * itemSize;
        if (data.Length < needed)
        {
            throw new DataFormatException(sourceName, $"truncated .npy file: shape ({string.Join(", ", shape)}) of {descr} needs {needed} data bytes, the file has {data.Length}");
        }

        var stored = new double[count];
        for (int i = 0; i < stored.Length; i++)
        {
            stored[i] = ReadElement(data.Slice(i * itemSize, itemSize), kind, bigEndian);
        }

        double[] values = fortran && shape.Length > 1 ? FortranToC(stored, shape) : stored;
        return new NpyArray(descr, kind, itemSize, bigEndian, fortran, shape, values);
    }

    private static double ReadElement(ReadOnlySpan<byte> e, char kind, bool big)
    {
        switch (kind, e.Length)
        {
            case ('f', 2):
                return (double)(big ? BinaryPrimitives.ReadHalfBigEndian(e) : BinaryPrimitives.ReadHalfLittleEndian(e));
            case ('f', 4):
                return big ? BinaryPrimitives.ReadSingleBigEndian(e) : BinaryPrimitives.ReadSingleLittleEndian(e);
            case ('f', 8):
                return big ? BinaryPrimitives.ReadDoubleBigEndian(e) : BinaryPrimitives.ReadDoubleLittleEndian(e);
            case ('i', 1):
                return (sbyte)e[0];
            case ('i', 2):
                return big ? BinaryPrimitives.ReadInt16BigEndian(e) : BinaryPrimitives.ReadInt16LittleEndian(e);
            case ('i', 4):
                return big ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e);
            case ('i', 8):
                return big ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e);
            case ('u', 1) or ('b', 1):
                return e[0];
            case ('u', 2):
                return big ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e);
            case ('u', 4):
                return big ? BinaryPrimitives.ReadUInt32BigEndian(e) : BinaryPrimitives.ReadUInt32LittleEndian(e);
            default:
                return big ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt64LittleEndian(e);
        }
    }

    /// <summary>Column-major storage (first index fastest) to row-major (last index fastest).</summary>
    private static double[] FortranToC(double[] stored, int[] shape)
    {
        var result = new double[stored.Length];
        int rank = shape.Length;
        var index = new int[rank];
        for (int c = 0; c < result.Length; c++)
        {
            // c walks C order; index holds its multi-index; the Fortran offset is sum index[k] * prod(shape[..k]).
            long f = 0, stride = 1;
            for (int k = 0; k < rank; k++)
            {
                f += index[k] * stride;
                stride *= shape[k];
            }

            result[c] = stored[f];
            for (int k = rank - 1; k >= 0; k--)
            {
                if (++index[k] < shape[k])
                {
                    break;
                }

                index[k] = 0;
            }
        }

        return result;
    }

    private static (char Kind, int ItemSize, bool BigEndian) ParseDescr(string descr, string sourceName)
    {
        string problem = $"unsupported .npy dtype '{descr}' (float16/32/64, integers of 1-8 bytes and bool are read)";
        if (descr.Length < 2)
        {
            throw new DataFormatException(sourceName, problem);
        }

        char order = descr[0];
        string rest = descr;
        bool big = !BitConverter.IsLittleEndian;
        if (order is '<' or '>' or '|' or '=')
        {
            rest = descr[1..];
            big = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
        }

        if (rest.Length < 2 || !int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
        {
            throw new DataFormatException(sourceName, problem);
        }

        char kind = rest[0];
        bool ok = kind switch
        {
            'f' => size is 2 or 4 or 8,
            'i' or 'u' => size is 1 or 2 or 4 or 8,
            'b' => size == 1,
            _ => false,
        };
        if (!ok)
        {
            throw new DataFormatException(sourceName, problem);
        }

        return (kind, size, big && size > 1);
    }

    /// <summary>Parses the header dict literal: {'descr': '&lt;f8', 'fortran_order': False, 'shape': (20, 17), }.</summary>
    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string sourceName)
    {
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        int pos = 0;
        void Fail(string what) => throw new DataFormatException(sourceName, $"malformed .npy header ({what}): {header.TrimEnd()}");
        void SkipSpace()
        {
            while (pos < header.Length && char.IsWhiteSpace(header[pos]))
            {
                pos++;
            }
        }

        bool Accept(char c)
        {
            SkipSpace();
            if (pos < header.Length && header[pos] == c)
            {
                pos++;
                return true;
            }

            return false;
        }

        string ReadString()
        {
            SkipSpace();
            if (pos >= header.Length || header[pos] is not ('\'' or '"'))
            {
                Fail("expected a quoted string");
            }

            char quote = header[pos++];
            int end = header.IndexOf(quote, pos);
            if (end < 0)
            {
                Fail("unterminated string");
            }

            string s = header[pos..end];
            pos = end + 1;
            return s;
        }

        if (!Accept('{'))
        {
            Fail("expected '{'");
        }

        while (!Accept('}'))
        {
            string key = ReadString();
            if (!Accept(':'))
            {
                Fail("expected ':'");
            }

            SkipSpace();
            switch (key)
            {
                case "descr":
                    if (pos < header.Length && header[pos] == '[')
                    {
                        throw new DataFormatException(sourceName, "unsupported .npy dtype: structured arrays (a list of fields) are not read");
                    }

                    descr = ReadString();
                    break;
                case "fortran_order":
                    if (header.AsSpan(pos).StartsWith("True"))
                    {
                        fortran = true;
                        pos += 4;
                    }
                    else if (header.AsSpan(pos).StartsWith("False"))
                    {
                        fortran = false;
                        pos += 5;
                    }
                    else
                    {
                        Fail("fortran_order is not True or False");
                    }

                    break;
                case "shape":
                    {
                        if (!Accept('('))
                        {
                            Fail("shape is not a tuple");
                        }

                        var dims = new List<int>();
                        while (!Accept(')'))
                        {
                            SkipSpace();
                            int start = pos;
                            while (pos < header.Length && char.IsAsciiDigit(header[pos]))
                            {
                                pos++;
                            }

                            // Python 2 wrote longs as 20L.
                            if (start == pos || !int.TryParse(header.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                            {
                                Fail("shape holds something other than non-negative integers");
                            }

                            dims.Add(n);
                            Accept('L');
                            if (!Accept(','))
                            {
                                if (!Accept(')'))
                                {
                                    Fail("expected ',' or ')' in shape");
                                }

                                break;
                            }
                        }

                        shape = [.. dims];
                        break;
                    }

                default:
                    Fail($"unknown key '{key}'");
                    break;
            }

            if (!Accept(','))
            {
                if (!Accept('}'))
                {
                    Fail("expected ',' or '}'");
                }

                break;
            }
        }

        if (descr is null || fortran is null || shape is null)
        {
            Fail("a key of 'descr', 'fortran_order', 'shape' is missing");
        }

        return (descr!, fortran!.Value, shape!);
    }
}
