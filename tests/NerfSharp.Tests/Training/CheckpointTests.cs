using NerfSharp.Parameters;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NerfSharp.Training;

namespace NerfSharp.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("nerfsharp-ckpt-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (ParameterStore Store, Adam Adam) Model(int[]? firstShape = null, bool extra = false)
    {
        var store = new ParameterStore();
        store.Add("coarse.pts_linears.0.weight", firstShape ?? [4, 3], "coarse");
        store.Add("coarse.pts_linears.0.bias", [4], "coarse");
        store.Add("fine.grid", [2, 2, 3], "fine");
        if (extra)
        {
            store.Add("fine.extra", [1]);
        }

        store.Freeze();
        return (store, new Adam(store, new AdamConfig()));
    }

    /// <summary>A model after a few steps, with awkward floats (negative zero, subnormal, infinity, NaN with payload) among the values.</summary>
    private static (ParameterStore Store, Adam Adam) Trained()
    {
        var (store, adam) = Model();
        var rng = new Numerics.Rng(21);
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < store.Count; i++)
            {
                store.Values[i] = rng.NextGaussian();
                store.Gradients[i] = rng.NextGaussian();
            }

            adam.Step(1e-3);
        }

        store.Values[0] = -0.0f;
        store.Values[1] = float.Epsilon;
        store.Values[2] = float.PositiveInfinity;
        store.Values[3] = BitConverter.Int32BitsToSingle(0x7FC01234);
        return (store, adam);
    }

    private static readonly Dictionary<string, string> Meta = new() { ["model"] = "vanilla", ["rng"] = "1,2,3,4", ["note"] = "ünïcode \"quoted\"" };

    [Fact]
    public void RoundTripIsBitExactWithAdamStateAndMetadata()
    {
        var (store, adam) = Trained();
        string path = Path.Combine(dir, "a.safetensors");
        Checkpoint.Save(path, store, adam, step: 1234, Meta);

        var (store2, adam2) = Model();
        CheckpointData data = Checkpoint.Load(path, store2, adam2);
        Assert.Equal(1234, data.Step);
        Assert.Equal(Meta.OrderBy(kv => kv.Key), data.Metadata.OrderBy(kv => kv.Key));
        Assert.Equal(3, adam2.StepCount);
        Assert.Equal(Bits(store.Values), Bits(store2.Values));
        Assert.Equal(Bits(adam.FirstMoment), Bits(adam2.FirstMoment));
        Assert.Equal(Bits(adam.SecondMoment), Bits(adam2.SecondMoment));

        // Without an optimizer only the parameters are read.
        var (store3, _) = Model();
        Assert.Equal(1234, Checkpoint.Load(path, store3, adam: null).Step);
        Assert.Equal(Bits(store.Values), Bits(store3.Values));
    }

    [Fact]
    public void FileIsValidSafetensors()
    {
        var (store, adam) = Trained();
        string path = Path.Combine(dir, "b.safetensors");
        Checkpoint.Save(path, store, adam, 77, Meta);

        // Parse the format independently of NerfSharp's reader, with the checks Hugging Face's safetensors makes.
        byte[] bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.True(n <= (ulong)bytes.Length - 8);
        Assert.Equal(0, (int)(8 + n) % 8);
        string headerText = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", headerText);
        using var header = JsonDocument.Parse(headerText);
        var entries = new List<(long Begin, long End, string Name)>();
        foreach (var prop in header.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__")
            {
                foreach (var m in prop.Value.EnumerateObject())
                {
                    Assert.Equal(JsonValueKind.String, m.Value.ValueKind);
                }

                Assert.Equal("77", prop.Value.GetProperty("step").GetString());
                Assert.Equal("3", prop.Value.GetProperty("optimizer.step").GetString());
                Assert.Equal("vanilla", prop.Value.GetProperty("model").GetString());
                continue;
            }

            Assert.Equal("F32", prop.Value.GetProperty("dtype").GetString());
            var shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var offsets = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(2, offsets.Length);
            Assert.Equal(4L * shape.Aggregate(1L, (a, d) => a * d), offsets[1] - offsets[0]);
            entries.Add((offsets[0], offsets[1], prop.Name));
        }

        // 3 parameters + 2 moments each; the data regions tile the buffer exactly.
        Assert.Equal(9, entries.Count);
        entries.Sort();
        long expectedBegin = 0;
        foreach (var e in entries)
        {
            Assert.Equal(expectedBegin, e.Begin);
            expectedBegin = e.End;
        }

        Assert.Equal(bytes.LongLength - 8 - (long)n, expectedBegin);

        // Names and layout: PyTorch names, exp_avg / exp_avg_sq under optimizer.*, little-endian float32 data.
        var w = store["coarse.pts_linears.0.weight"];
        var entry = header.RootElement.GetProperty("coarse.pts_linears.0.weight");
        Assert.Equal([4, 3], entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        long begin = entry.GetProperty("data_offsets")[0].GetInt64();
        for (int i = 0; i < w.Length; i++)
        {
            int bits = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)(8 + (long)n + begin + (4 * i))));
            Assert.Equal(BitConverter.SingleToInt32Bits(store.Values[w.Offset + i]), bits);
        }

        var exp = header.RootElement.GetProperty("optimizer.exp_avg_sq.fine.grid");
        long b2 = exp.GetProperty("data_offsets")[0].GetInt64();
        var g = store["fine.grid"];
        Assert.Equal(adam.SecondMoment[g.Offset + 5], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(8 + (long)n + b2 + 20))));
        Assert.True(header.RootElement.TryGetProperty("optimizer.exp_avg.coarse.pts_linears.0.bias", out _));
    }

    [Fact]
    public void SuccessfulSaveLeavesNoTemporaryFile()
    {
        var (store, adam) = Trained();
        string path = Path.Combine(dir, "c.safetensors");
        Checkpoint.Save(path, store, adam, 1, Meta);
        Checkpoint.Save(path, store, adam, 2, Meta);
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void WriterFailingMidwayKeepsOldFileAndLeavesNoTemporaryFile()
    {
        var (store, adam) = Trained();
        string path = Path.Combine(dir, "d.safetensors");
        Checkpoint.Save(path, store, adam, 1, Meta);
        byte[] before = File.ReadAllBytes(path);

        store.Values[5] = 42f;
        var e = Assert.Throws<IOException>(() => Checkpoint.Save(path, store, adam, 2, Meta, s => new FailingStream(s, failAfter: 100)));
        Assert.Contains("disk full", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("empty")]
    [InlineData("header")]
    [InlineData("length")]
    [InlineData("garbage")]
    public void CorruptFileIsDataFormatErrorNamingTheFile(string damage)
    {
        var (store, adam) = Trained();
        string path = Path.Combine(dir, $"corrupt-{damage}.safetensors");
        Checkpoint.Save(path, store, adam, 5, Meta);
        byte[] bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "truncated":
                bytes = bytes[..(bytes.Length - 10)];
                break;
            case "empty":
                bytes = [];
                break;
            case "header":
                bytes[8] = (byte)'x'; // the header no longer opens a JSON object
                break;
            case "length":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue - 3);
                break;
            default:
                bytes = Encoding.ASCII.GetBytes("PK\u0003\u0004 this is a zip, not a checkpoint");
                break;
        }

        File.WriteAllBytes(path, bytes);
        var (store2, adam2) = Model();
        float[] untouched = (float[])store2.Values.Clone();
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, store2, adam2));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(untouched, store2.Values);
        Assert.Equal(0, adam2.StepCount);
    }

    [Fact]
    public void ShapeMismatchNamesFileAndTensorAndChangesNothing()
    {
        var (store, adam) = Trained();
        string path = Path.Combine(dir, "e.safetensors");
        Checkpoint.Save(path, store, adam, 5, Meta);

        var (other, otherAdam) = Model(firstShape: [3, 4]);
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, other, otherAdam));
        Assert.Contains(path, e.Message);
        Assert.Contains("coarse.pts_linears.0.weight", e.Message);
        Assert.Contains("[4, 3]", e.Message);
        Assert.All(other.Values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void MissingAndUnexpectedTensorsAreNamed()
    {
        var (store, adam) = Trained();
        string path = Path.Combine(dir, "f.safetensors");
        Checkpoint.Save(path, store, adam, 5, Meta);

        var (bigger, biggerAdam) = Model(extra: true);
        var missing = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, bigger, biggerAdam));
        Assert.Contains("'fine.extra' is missing", missing.Message);

        var smaller = new ParameterStore();
        smaller.Add("coarse.pts_linears.0.weight", [4, 3]);
        smaller.Add("coarse.pts_linears.0.bias", [4]);
        smaller.Freeze();
        var unexpected = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, smaller, null));
        Assert.Contains("'fine.grid'", unexpected.Message);
    }

    [Fact]
    public void ParametersOnlyFileCannotRestoreOptimizer()
    {
        // A safetensors file of weights alone (as exported from PyTorch) loads without an optimizer, but not with one.
        var (store, _) = Trained();
        var tensors = store.Tensors.Select(t => IO.SafetensorsTensor.FromFloats(t.Name, t.Shape, store.ValuesOf(t)));
        string path = Path.Combine(dir, "weights.safetensors");
        new IO.SafetensorsFile(tensors, new Dictionary<string, string> { ["step"] = "9" }).Write(path);

        var (store2, adam2) = Model();
        Assert.Equal(9, Checkpoint.Load(path, store2, null).Step);
        Assert.Equal(Bits(store.Values), Bits(store2.Values));
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, store2, adam2));
        Assert.Contains("optimizer.exp_avg.", e.Message);
    }

    [Fact]
    public void ReservedMetadataKeyIsRejected()
    {
        var (store, adam) = Trained();
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(Path.Combine(dir, "g.safetensors"), store, adam, 1, new Dictionary<string, string> { ["step"] = "2" }));
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>Passes writes through until a byte budget is spent, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (written + buffer.Length > failAfter)
            {
                inner.Write(buffer[..(int)(failAfter - written)]);
                throw new IOException("disk full (simulated)");
            }

            inner.Write(buffer);
            written += buffer.Length;
        }
    }
}
