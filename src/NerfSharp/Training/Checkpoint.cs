using NerfSharp.Parameters;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NerfSharp.IO;
using NerfSharp.Models;

namespace NerfSharp.Training;

/// <summary>
/// Training checkpoints as safetensors files that PyTorch's safetensors can read: every parameter under its
/// store name (F32, PyTorch shape), Adam's moments as <c>optimizer.exp_avg.&lt;name&gt;</c> and
/// <c>optimizer.exp_avg_sq.&lt;name&gt;</c>, and in <c>__metadata__</c> (strings) the step, Adam's step and the caller's entries.
/// Files are written atomically (temp file + rename) and streamed, so no second copy of the parameters is made.
/// </summary>
public static class Checkpoint
{
    public const string StepKey = "step";
    public const string OptimizerKey = "optimizer";
    public const string OptimizerStepKey = "optimizer.step";
    public const string FirstMomentPrefix = "optimizer.exp_avg.";
    public const string SecondMomentPrefix = "optimizer.exp_avg_sq.";

    /// <summary>Prefix of a model's non-trainable state tensors (<see cref="StateTensor"/>).</summary>
    public const string StatePrefix = "state.";

    public static void Save(string path, ParameterStore store, Adam adam, long step, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<StateTensor>? state = null) =>
        Save(path, store, adam, step, metadata, wrapStream: null, state);

    /// <summary>
    /// Reads a checkpoint into <paramref name="store"/> (and <paramref name="adam"/>'s state when given) after checking every
    /// tensor's name, dtype and shape; nothing is changed unless the whole file is valid.
    /// </summary>
    public static CheckpointData Load(string path, ParameterStore store, Adam? adam, IReadOnlyList<StateTensor>? state = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (adam != null && adam.FirstMoment.Length != store.Count)
        {
            throw new ArgumentException("the optimizer belongs to a different parameter store", nameof(adam));
        }

        SafetensorsFile file;
        try
        {
            file = SafetensorsFile.Read(path);
        }
        catch (Exception e) when (e is not DataFormatException and not OutOfMemoryException)
        {
            throw new DataFormatException(path, "not a readable safetensors checkpoint: " + e.Message, e);
        }

        var expected = new HashSet<string>(StringComparer.Ordinal);
        var sources = new List<(SafetensorsTensor Tensor, float[] Target, int Offset)>();
        foreach (var t in store.Tensors)
        {
            sources.Add((Find(path, file, t.Name, t.Shape), store.Values, t.Offset));
            expected.Add(t.Name);
            if (adam != null)
            {
                sources.Add((Find(path, file, FirstMomentPrefix + t.Name, t.Shape), adam.FirstMoment, t.Offset));
                sources.Add((Find(path, file, SecondMomentPrefix + t.Name, t.Shape), adam.SecondMoment, t.Offset));
            }

            expected.Add(FirstMomentPrefix + t.Name);
            expected.Add(SecondMomentPrefix + t.Name);
        }

        foreach (var st in state ?? [])
        {
            sources.Add((Find(path, file, StatePrefix + st.Name, st.Shape), st.Values, 0));
            expected.Add(StatePrefix + st.Name);
        }

        foreach (string name in file.Names)
        {
            if (!expected.Contains(name))
            {
                throw new DataFormatException(path, $"tensor '{name}' is not a parameter of this model (a checkpoint of a different configuration?)");
            }
        }

        long step = ReadLong(path, file.Metadata, StepKey);
        long adamStep = adam != null ? ReadLong(path, file.Metadata, OptimizerStepKey) : 0;

        foreach (var (tensor, target, offset) in sources)
        {
            ReadOnlySpan<float> source = MemoryMarshal.Cast<byte, float>(tensor.Data);
            if (BitConverter.IsLittleEndian)
            {
                source.CopyTo(target.AsSpan(offset));
            }
            else
            {
                tensor.ToFloats().CopyTo(target.AsSpan(offset));
            }
        }

        if (adam != null)
        {
            adam.StepCount = adamStep; // the moments were copied in place above
        }

        var callerMetadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in file.Metadata)
        {
            if (!IsReserved(k))
            {
                callerMetadata.Add(k, v);
            }
        }

        return new CheckpointData(step, callerMetadata);
    }

    /// <summary>Save with a hook around the output stream (tests use it to fail mid-write).</summary>
    internal static void Save(string path, ParameterStore store, Adam adam, long step, IReadOnlyDictionary<string, string> metadata, Func<Stream, Stream>? wrapStream, IReadOnlyList<StateTensor>? state = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(adam);
        ArgumentNullException.ThrowIfNull(metadata);
        if (adam.FirstMoment.Length != store.Count)
        {
            throw new ArgumentException("the optimizer belongs to a different parameter store", nameof(adam));
        }

        foreach (string key in metadata.Keys)
        {
            if (IsReserved(key))
            {
                throw new ArgumentException($"metadata key '{key}' is reserved for the checkpoint itself", nameof(metadata));
            }
        }

        // Data section: all parameters, then all first moments, then all second moments, each in store order.
        var blocks = new List<(string Name, int[] Shape, float[] Source, int Offset, int Length)>();
        foreach (var t in store.Tensors)
        {
            blocks.Add((t.Name, t.Shape, store.Values, t.Offset, t.Length));
        }

        foreach (var t in store.Tensors)
        {
            blocks.Add((FirstMomentPrefix + t.Name, t.Shape, adam.FirstMoment, t.Offset, t.Length));
        }

        foreach (var t in store.Tensors)
        {
            blocks.Add((SecondMomentPrefix + t.Name, t.Shape, adam.SecondMoment, t.Offset, t.Length));
        }

        foreach (var st in state ?? [])
        {
            blocks.Add((StatePrefix + st.Name, st.Shape, st.Values, 0, st.Values.Length));
        }

        byte[] header = BuildHeader(blocks, step, adam.StepCount, metadata);
        AtomicFile.Write(path, raw =>
        {
            Stream s = wrapStream?.Invoke(raw) ?? raw;
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            s.Write(length);
            s.Write(header);
            foreach (var b in blocks)
            {
                WriteFloats(s, b.Source.AsSpan(b.Offset, b.Length));
            }

            s.Flush();
        });
    }

    private static byte[] BuildHeader(List<(string Name, int[] Shape, float[] Source, int Offset, int Length)> blocks, long step, long adamStep, IReadOnlyDictionary<string, string> metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteStartObject("__metadata__");
            w.WriteString(StepKey, step.ToString(CultureInfo.InvariantCulture));
            w.WriteString(OptimizerKey, "adam");
            w.WriteString(OptimizerStepKey, adamStep.ToString(CultureInfo.InvariantCulture));
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
            long offset = 0;
            foreach (var b in blocks)
            {
                w.WriteStartObject(b.Name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (int d in b.Shape)
                {
                    w.WriteNumberValue(d);
                }

                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + (4L * b.Length));
                w.WriteEndArray();
                w.WriteEndObject();
                offset += 4L * b.Length;
            }

            w.WriteEndObject();
        }

        // Pad with spaces so the data starts 8-byte aligned (allowed by the format).
        int padded = (int)((ms.Length + 7) / 8 * 8);
        while (ms.Length < padded)
        {
            ms.WriteByte((byte)' ');
        }

        return ms.ToArray();
    }

    private static void WriteFloats(Stream s, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            s.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        Span<byte> four = stackalloc byte[4];
        foreach (float v in values)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(four, v);
            s.Write(four);
        }
    }

    private static SafetensorsTensor Find(string path, SafetensorsFile file, string name, int[] shape)
    {
        if (!file.Contains(name))
        {
            throw new DataFormatException(path, $"tensor '{name}' is missing");
        }

        var t = file[name];
        if (t.DType != SafetensorsDType.F32)
        {
            throw new DataFormatException(path, $"tensor '{name}' is {t.DType}, expected F32");
        }

        if (!t.Shape.AsSpan().SequenceEqual(shape))
        {
            throw new DataFormatException(path, $"tensor '{name}' has shape [{string.Join(", ", t.Shape)}], the model expects [{string.Join(", ", shape)}]");
        }

        return t;
    }

    private static long ReadLong(string path, IReadOnlyDictionary<string, string> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out string? text))
        {
            throw new DataFormatException(path, $"metadata '{key}' is missing");
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            throw new DataFormatException(path, $"metadata '{key}' = '{text}' is not a non-negative integer");
        }

        return value;
    }

    private static bool IsReserved(string key) => key is StepKey or OptimizerKey or OptimizerStepKey;
}
