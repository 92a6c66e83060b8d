using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NerfSharp.IO;

/// <summary>Element types of the safetensors format that NerfSharp reads and writes.</summary>
public enum SafetensorsDType
{
    F32,
    F64,
    I64,
    I32,
    U8,
}

/// <summary>One tensor: name, type, shape and its raw little-endian bytes.</summary>
public sealed record SafetensorsTensor(string Name, SafetensorsDType DType, int[] Shape, byte[] Data)
{
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in Shape)
            {
                n *= d;
            }

            return n;
        }
    }

    public static SafetensorsTensor FromFloats(string name, int[] shape, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return new SafetensorsTensor(name, SafetensorsDType.F32, shape, bytes);
    }

    public static SafetensorsTensor FromDoubles(string name, int[] shape, ReadOnlySpan<double> values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return new SafetensorsTensor(name, SafetensorsDType.F64, shape, bytes);
    }

    public static SafetensorsTensor FromInt64(string name, int[] shape, ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return new SafetensorsTensor(name, SafetensorsDType.I64, shape, bytes);
    }

    /// <summary>The values as float32 (converting F64/I64/I32/U8).</summary>
    public float[] ToFloats()
    {
        double[] d = ToDoubles();
        var f = new float[d.Length];
        for (int i = 0; i < d.Length; i++)
        {
            f[i] = (float)d[i];
        }

        return f;
    }

    /// <summary>The values as float64 (converting any stored type).</summary>
    public double[] ToDoubles()
    {
        int n = checked((int)ElementCount);
        var r = new double[n];
        ReadOnlySpan<byte> b = Data;
        for (int i = 0; i < n; i++)
        {
            r[i] = DType switch
            {
                SafetensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b[(i * 4)..]),
                SafetensorsDType.F64 => BinaryPrimitives.ReadDoubleLittleEndian(b[(i * 8)..]),
                SafetensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b[(i * 8)..]),
                SafetensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(b[(i * 4)..]),
                SafetensorsDType.U8 => b[i],
                _ => throw new InvalidOperationException(),
            };
        }

        return r;
    }

    public long[] ToInt64()
    {
        int n = checked((int)ElementCount);
        var r = new long[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = DType switch
            {
                SafetensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan(i * 8)),
                SafetensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(Data.AsSpan(i * 4)),
                _ => throw new InvalidOperationException($"tensor '{Name}' is {DType}, not an integer type"),
            };
        }

        return r;
    }
}

/// <summary>
/// The safetensors file format (as written by Hugging Face's safetensors and read by PyTorch):
/// an 8-byte little-endian header length, a JSON header mapping names to dtype, shape and
/// data offsets (plus optional string metadata under <c>__metadata__</c>), then the raw data.
/// </summary>
public sealed class SafetensorsFile
{
    private readonly Dictionary<string, SafetensorsTensor> tensors;

    public SafetensorsFile(IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        this.tensors = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            this.tensors.Add(t.Name, t);
        }

        Metadata = metadata ?? new Dictionary<string, string>();
    }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyCollection<string> Names => tensors.Keys;

    public IEnumerable<SafetensorsTensor> Tensors => tensors.Values;

    public bool Contains(string name) => tensors.ContainsKey(name);

    public SafetensorsTensor this[string name] =>
        tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"safetensors file has no tensor '{name}'");

    public static SafetensorsFile Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new DataFormatException(path, "cannot read file: " + e.Message, e);
        }

        return Parse(bytes, path);
    }

    public static SafetensorsFile Parse(ReadOnlySpan<byte> bytes, string sourceName)
    {
        if (bytes.Length < 8)
        {
            throw new DataFormatException(sourceName, "not a safetensors file: shorter than its 8-byte header length");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw new DataFormatException(sourceName, $"safetensors header claims {headerLength} bytes but the file has {bytes.Length} (truncated or corrupt)");
        }

        ReadOnlySpan<byte> data = bytes[(8 + (int)headerLength)..];
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(bytes.Slice(8, (int)headerLength))) as JsonObject
                ?? throw new DataFormatException(sourceName, "safetensors header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(sourceName, "safetensors header is not valid JSON: " + e.Message, e);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var list = new List<SafetensorsTensor>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        List<KeyValuePair<string, JsonNode?>> entries;
        try
        {
            entries = [.. header];
            foreach (var (name, node) in entries)
            {
                if (name == "__metadata__" && node is JsonObject metaObj)
                {
                    foreach (var (k, v) in metaObj)
                    {
                        metadata[k] = v?.ToString() ?? string.Empty;
                    }
                }
            }
        }
        catch (ArgumentException e)
        {
            // JsonObject builds its dictionary lazily and throws on a repeated key.
            throw new DataFormatException(sourceName, "safetensors header repeats a key: " + e.Message, e);
        }

        foreach (var (name, node) in entries)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            try
            {
                var o = node!.AsObject();
                string dtypeText = o["dtype"]!.GetValue<string>();
                SafetensorsDType dtype = dtypeText switch
                {
                    "F32" => SafetensorsDType.F32,
                    "F64" => SafetensorsDType.F64,
                    "I64" => SafetensorsDType.I64,
                    "I32" => SafetensorsDType.I32,
                    "U8" => SafetensorsDType.U8,
                    _ => throw new DataFormatException(sourceName, $"tensor '{name}' has unsupported dtype {dtypeText}"),
                };
                int[] shape = o["shape"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
                var offsets = o["data_offsets"]!.AsArray();
                if (offsets.Count != 2)
                {
                    throw new DataFormatException(sourceName, $"tensor '{name}' has {offsets.Count} data offsets, expected 2");
                }

                long begin = offsets[0]!.GetValue<long>();
                long end = offsets[1]!.GetValue<long>();

                // The element count is checked against the data as it is multiplied up, so no dimension can be
                // negative and no product can overflow into a small number.
                long elements = 1;
                foreach (int d in shape)
                {
                    if (d < 0)
                    {
                        throw new DataFormatException(sourceName, $"tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}]");
                    }

                    elements *= d;
                    if (elements > data.Length)
                    {
                        throw new DataFormatException(sourceName, $"tensor '{name}' of shape [{string.Join(", ", shape)}] is larger than the file's {data.Length} data bytes (truncated or corrupt)");
                    }
                }

                if (begin < 0 || end < begin || end > data.Length || end - begin != elements * ElementSize(dtype))
                {
                    throw new DataFormatException(sourceName, $"tensor '{name}' has data offsets [{begin}, {end}) that do not fit its shape or the file (truncated or corrupt)");
                }

                if (!names.Add(name))
                {
                    throw new DataFormatException(sourceName, $"tensor '{name}' appears twice");
                }

                list.Add(new SafetensorsTensor(name, dtype, shape, data[(int)begin..(int)end].ToArray()));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or ArgumentException or OverflowException)
            {
                throw new DataFormatException(sourceName, $"tensor '{name}' has a malformed header entry", e);
            }
        }

        return new SafetensorsFile(list, metadata);
    }

    /// <summary>Serialises to bytes, tensors in name order, data 8-byte aligned.</summary>
    public byte[] ToBytes()
    {
        var header = new JsonObject();
        if (Metadata.Count > 0)
        {
            var meta = new JsonObject();
            foreach (var (k, v) in Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                meta[k] = v;
            }

            header["__metadata__"] = meta;
        }

        long offset = 0;
        var ordered = tensors.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        foreach (var t in ordered)
        {
            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.DType.ToString(),
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.Length),
            };
            offset += t.Data.Length;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + 7) / 8 * 8;
        var result = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        headerBytes.CopyTo(result, 8);
        for (int i = headerBytes.Length; i < padded; i++)
        {
            result[8 + i] = (byte)' ';
        }

        long pos = 8 + padded;
        foreach (var t in ordered)
        {
            t.Data.CopyTo(result, pos);
            pos += t.Data.Length;
        }

        return result;
    }

    /// <summary>Writes atomically (temp file + rename).</summary>
    public void Write(string path) => AtomicFile.WriteAllBytes(path, ToBytes());

    private static int ElementSize(SafetensorsDType t) => t switch
    {
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        _ => 1,
    };
}
