using System.Buffers.Binary;
using System.Text;
using NerfSharp.IO;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.IOTests;

/// <summary>.npy files written byte by byte here (no NumPy needed) for every dtype, order, byte order and version; the real fern file.</summary>
public sealed class NpyTests
{
    public static TheoryData<string, int, bool> Cases()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (string descr in new[] { "<f4", ">f4", "<f8", ">f8", "<f2", ">f2", "|i1", "|u1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4", ">u4", "<i8", ">i8", "<u8", ">u8", "|b1" })
        {
            foreach (int version in new[] { 1, 2, 3 })
            {
                data.Add(descr, version, false);
                data.Add(descr, version, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReadsEveryDtypeOrderEndiannessAndVersion(string descr, int version, bool fortran)
    {
        int[] shape = [2, 3, 4];
        double[] expected = new double[24];
        for (int i = 0; i < 24; i++)
        {
            expected[i] = descr[1] switch
            {
                'b' => i % 3 == 0 ? 1 : 0,
                'u' => i * 5,
                'i' => (i * 5) - 60,
                _ => (i * 0.25) - 3,
            };
        }

        byte[] file = Write(descr, fortran, shape, expected, version);
        NpyArray array = Npy.Parse(file, "test.npy");
        Assert.Equal(shape, array.Shape);
        Assert.Equal(fortran, array.FortranOrder);
        Assert.Equal(descr[0] == '>', array.BigEndian);
        Assert.Equal(expected, array.Values);
    }

    [Fact]
    public void ReadsScalarsAndEmptyArrays()
    {
        Assert.Equal([2.5], Npy.Parse(Write("<f8", false, [], [2.5], 1), "s.npy").Values);
        var empty = Npy.Parse(Write("<f4", false, [0, 3], [], 1), "e.npy");
        Assert.Equal([0, 3], empty.Shape);
        Assert.Empty(empty.Values);
        var vector = Npy.Parse(Write("<i4", true, [3], [1, 2, 3], 2), "v.npy");
        Assert.Equal([1.0, 2, 3], vector.Values);
    }

    [Fact]
    public void ReadsFernPosesBounds()
    {
        string path = SharedData.Data("nerf_llff_data", "fern", "poses_bounds.npy");
        NpyArray a = Npy.Read(path);
        Assert.Equal([20, 17], a.Shape);
        Assert.Equal("<f8", a.Descr);
        Assert.Equal(0.02242251555532968, a[0, 0]);
        Assert.Equal(-3.6791790683678407, a[0, 3]);
        Assert.Equal(3024.0, a[0, 4]);
        Assert.Equal(4032.0, a[0, 9]);
        Assert.Equal(3260.5263328805895, a[0, 14]);
        Assert.Equal(17.747087483458166, a[0, 15]);
        Assert.Equal(78.25748707131142, a[0, 16]);
        Assert.Equal(76.71614081178825, a[19, 16]);
    }

    [Theory]
    [InlineData("not npy", "magic")]
    [InlineData("version", "version 4.0")]
    [InlineData("descr", "dtype '<c16'")]
    [InlineData("structured", "structured")]
    [InlineData("object", "dtype '|O'")]
    [InlineData("header", "malformed .npy header")]
    [InlineData("truncated data", "truncated")]
    [InlineData("truncated header", "truncated")]
    public void MalformedFilesGiveAClearError(string what, string message)
    {
        byte[] good = Write("<f8", false, [2, 2], [1, 2, 3, 4], 1);
        byte[] bad = what switch
        {
            "not npy" => Encoding.ASCII.GetBytes("hello world, not an array"),
            "version" => [.. good[..6], 4, 0, .. good[8..]],
            "descr" => Write("<c16", false, [2], [], 1, dataBytes: 32),
            "structured" => Header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 1),
            "object" => Write("|O", false, [1], [], 1, dataBytes: 8),
            "header" => Header("{'descr': '<f8', 'fortran_order': maybe, 'shape': (2,), }", 1),
            "truncated data" => good[..^5],
            _ => good[..20],
        };

        using var dir = new TempDirectory("nerfsharp-npy");
        string path = dir.Combine("bad.npy");
        File.WriteAllBytes(path, bad);
        var e = Assert.Throws<DataFormatException>(() => Npy.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MutatedFilesNeverCrash()
    {
        byte[] good = Write("<f8", false, [3, 4], new double[12], 1);
        var rng = new Random(11);
        for (int k = 0; k < 500; k++)
        {
            byte[] bad = (byte[])good.Clone();
            bad[rng.Next(Math.Min(bad.Length, 90))] = (byte)rng.Next(256);
            if (rng.Next(3) == 0)
            {
                bad = bad[..rng.Next(bad.Length)];
            }

            try
            {
                Npy.Parse(bad, "m.npy");
            }
            catch (DataFormatException e)
            {
                Assert.Equal("m.npy", e.FilePath);
            }
        }
    }

    /// <summary>An .npy file: header padded with spaces and a newline to a multiple of 64 bytes, data in the given order.</summary>
    private static byte[] Write(string descr, bool fortran, int[] shape, double[] cOrder, int version, int dataBytes = -1)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shapeText}, }}";
        byte[] header = Header(dict, version);
        if (dataBytes >= 0)
        {
            return [.. header, .. new byte[dataBytes]];
        }

        int size = int.Parse(descr.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);
        bool big = descr[0] == '>';
        var data = new byte[cOrder.Length * size];
        for (int s = 0; s < cOrder.Length; s++)
        {
            // Storage position s holds the C-order element whose Fortran offset is s.
            double v = cOrder[fortran ? FortranToCIndex(s, shape) : s];
            Span<byte> e = data.AsSpan(s * size, size);
            switch (descr[1], size)
            {
                case ('f', 2): if (big) { BinaryPrimitives.WriteHalfBigEndian(e, (Half)v); } else { BinaryPrimitives.WriteHalfLittleEndian(e, (Half)v); } break;
                case ('f', 4): if (big) { BinaryPrimitives.WriteSingleBigEndian(e, (float)v); } else { BinaryPrimitives.WriteSingleLittleEndian(e, (float)v); } break;
                case ('f', 8): if (big) { BinaryPrimitives.WriteDoubleBigEndian(e, v); } else { BinaryPrimitives.WriteDoubleLittleEndian(e, v); } break;
                case (_, 1): e[0] = (byte)(sbyte)v; if (descr[1] == 'u' || descr[1] == 'b') { e[0] = (byte)v; } break;
                case (_, 2): if (big) { BinaryPrimitives.WriteInt16BigEndian(e, (short)v); } else { BinaryPrimitives.WriteInt16LittleEndian(e, (short)v); } break;
                case (_, 4): if (big) { BinaryPrimitives.WriteInt32BigEndian(e, (int)v); } else { BinaryPrimitives.WriteInt32LittleEndian(e, (int)v); } break;
                default: if (big) { BinaryPrimitives.WriteInt64BigEndian(e, (long)v); } else { BinaryPrimitives.WriteInt64LittleEndian(e, (long)v); } break;
            }
        }

        return [.. header, .. data];
    }

    private static int FortranToCIndex(int fortranOffset, int[] shape)
    {
        int c = 0;
        int rest = fortranOffset;
        var index = new int[shape.Length];
        for (int k = 0; k < shape.Length; k++)
        {
            index[k] = rest % shape[k];
            rest /= shape[k];
        }

        for (int k = 0; k < shape.Length; k++)
        {
            c = (c * shape[k]) + index[k];
        }

        return c;
    }

    private static byte[] Header(string dict, int version)
    {
        int prefix = version == 1 ? 10 : 12;
        byte[] text = Encoding.UTF8.GetBytes(dict);
        int total = (prefix + text.Length + 1 + 63) / 64 * 64;
        int headerLength = total - prefix;
        var header = new byte[total];
        header[0] = 0x93;
        "NUMPY"u8.CopyTo(header.AsSpan(1));
        header[6] = (byte)version;
        if (version == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)headerLength);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)headerLength);
        }

        text.CopyTo(header.AsSpan(prefix));
        header.AsSpan(prefix + text.Length, headerLength - text.Length - 1).Fill((byte)' ');
        header[^1] = (byte)'\n';
        return header;
    }
}
