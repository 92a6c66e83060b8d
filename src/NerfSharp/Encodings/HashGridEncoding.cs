using NerfSharp.Kernels;
using NerfSharp.Modules;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Encodings;

/// <summary>
/// instant-ngp's multiresolution hash encoding (Müller et al. 2022), with tiny-cuda-nn's definitions:
/// <list type="bullet">
/// <item>per-level growth b = exp((ln N_max - ln N_min) / (L - 1)) (b = 1 when L = 1); level l's scale is
/// s_l = 2^(l log2 b) N_min - 1 (computed in double, rounded to float) and its grid resolution R_l = ceil(s_l) + 1
/// vertices per axis (so N_min counts vertices, not cells: the -1 of tiny-cuda-nn's <c>grid_scale</c>);</item>
/// <item>a position x in [0,1]^3 maps to p = fma(s_l, x, 0.5) per axis (the +0.5 offset staggers the levels);
/// its cell is floor(p) and the trilinear weights use frac(p);</item>
/// <item>level l's table has T_l = min(R_l^3 rounded up to a multiple of 8, 2^Log2TableSize) entries of F floats;
/// the level is dense when R_l^3 &lt;= T_l: corner (i, j, k) has index (i + j R + k R^2) mod T_l (positions near the
/// upper faces wrap around, as in tiny-cuda-nn); otherwise it is hashed:
/// (i * 1 XOR j * 2654435761 XOR k * 805459861) mod T_l in uint32 arithmetic;</item>
/// <item>output feature f of level l (row l F + f) is sum over the 8 cell corners of the trilinear weight times
/// the corner's entry.</item>
/// </list>
/// Points outside [0,1]^3 are CLAMPED to the cube per coordinate (NaN counts as 0); their gradient with respect to a
/// clamped coordinate is 0. The parameters are one tensor <c>{name}.embeddings</c> [TotalEntries, F], the levels'
/// tables concatenated in level order. Input [3][count] and output [L F][count] are feature-major.
/// Forward walks the batch level by level (each level's table hot in cache while used) and splits the points over
/// <see cref="Threads"/> threads; backward splits the levels into two fixed groups, one per thread, so the
/// gradient scatter is race-free and results are bit-identical for any thread count and SIMD path.
/// </summary>
public sealed class HashGridEncoding : IDifferentiableModule
{
    /// <summary>Hash factors of x, y, z (tiny-cuda-nn's coherent prime hash).</summary>
    public const uint PrimeX = 1u;

    public const uint PrimeY = 2654435761u;

    public const uint PrimeZ = 805459861u;

    private readonly ParameterStore store;
    private readonly HashGridLevel[] levels;
    private readonly int backwardSplit;

    public HashGridEncoding(HashGridConfig config, ParameterStore store, string name, string group = "encoding")
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(store);
        config.Validate();
        Config = config;
        this.store = store;
        levels = new HashGridLevel[config.Levels];
        int offset = 0;
        for (int l = 0; l < config.Levels; l++)
        {
            int size = LevelTableSize(config, l);
            levels[l] = new HashGridLevel(offset, size, LevelResolution(config, l), LevelScale(config, l), IsDenseLevel(config, l));
            offset = checked(offset + size);
        }

        TotalEntries = offset;
        backwardSplit = BalancedSplit(levels);
        Embeddings = store.Add($"{name}.embeddings", [TotalEntries, config.FeaturesPerLevel], group);
    }

    public HashGridConfig Config { get; }

    /// <summary>The embeddings tensor [TotalEntries, F].</summary>
    public ParameterTensor Embeddings { get; }

    /// <summary>Entries of all levels' tables together.</summary>
    public int TotalEntries { get; }

    /// <summary>Each level's table offset (in entries), size, resolution, scale and whether it is dense.</summary>
    public IReadOnlyList<HashGridLevel> LevelLayout => levels;

    /// <summary>First level of the second backward thread's group (levels before it go to the first).</summary>
    public int BackwardSplit => backwardSplit;

    public int InputWidth => 3;

    public int OutputWidth => Config.Levels * Config.FeaturesPerLevel;

    public int ParameterCount => TotalEntries * Config.FeaturesPerLevel;

    /// <summary>Threads a call may use (at most 2 are used). Results do not depend on it.</summary>
    public int Threads { get; set; } = ParallelJob.DefaultParts;

    /// <summary>SIMD path of the index/weight computation (tests force each one). Results do not depend on it.</summary>
    public SimdPath Path { get; set; } = SimdPath.Auto;

    /// <summary>b = exp((ln N_max - ln N_min) / (L - 1)), 1 for a single level.</summary>
    public static double GrowthFactor(HashGridConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Levels == 1 ? 1.0 : Math.Exp((Math.Log(config.MaxResolution) - Math.Log(config.BaseResolution)) / (config.Levels - 1));
    }

    /// <summary>s_l = 2^(l log2 b) N_min - 1, rounded to float: a position x maps to fma(s_l, x, 0.5) on the level's grid.</summary>
    public static float LevelScale(HashGridConfig config, int level)
    {
        CheckLevel(config, level);
        return (float)((Math.Pow(2.0, level * Math.Log2(GrowthFactor(config))) * config.BaseResolution) - 1.0);
    }

    /// <summary>R_l = ceil(s_l) + 1 grid vertices per axis.</summary>
    public static int LevelResolution(HashGridConfig config, int level) => (int)MathF.Ceiling(LevelScale(config, level)) + 1;

    /// <summary>T_l = min(R_l^3 rounded up to a multiple of 8, 2^Log2TableSize).</summary>
    public static int LevelTableSize(HashGridConfig config, int level)
    {
        long dense = (long)LevelResolution(config, level) * LevelResolution(config, level) * LevelResolution(config, level);
        dense = (dense + 7) / 8 * 8;
        return (int)Math.Min(dense, 1L << config.Log2TableSize);
    }

    /// <summary>Whether level l indexes its table densely (R_l^3 &lt;= T_l) rather than by hash.</summary>
    public static bool IsDenseLevel(HashGridConfig config, int level)
    {
        long r = LevelResolution(config, level);
        return r * r * r <= LevelTableSize(config, level);
    }

    /// <summary>
    /// tiny-cuda-nn's <c>grid_index</c>: the table index (within the level) of grid vertex (x, y, z) of level l:
    /// dense levels (x + y R + z R^2) mod T, hashed levels (x ^ y * 2654435761 ^ z * 805459861) mod T, in uint32.
    /// </summary>
    public static uint GridIndex(HashGridConfig config, int level, uint x, uint y, uint z)
    {
        uint size = (uint)LevelTableSize(config, level);
        uint resolution = (uint)LevelResolution(config, level);
        ReadOnlySpan<uint> pos = [x, y, z];
        ulong stride = 1;
        uint index = 0;
        for (int d = 0; d < 3 && stride <= size; d++)
        {
            index += pos[d] * (uint)stride;
            stride *= resolution;
        }

        if (size < stride)
        {
            index = (x * PrimeX) ^ (y * PrimeY) ^ (z * PrimeZ);
        }

        return index % size;
    }

    /// <summary>instant-ngp's initialisation: every entry uniform in [-1e-4, 1e-4].</summary>
    public void Initialize(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Span<float> values = store.ValuesOf(Embeddings);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ((2f * rng.NextFloat()) - 1f) * 1e-4f;
        }
    }

    public ModuleContext CreateContext(int capacity) => new HashGridContext(this, capacity, new HashGridWorker(levels, Config.FeaturesPerLevel, backwardSplit));

    /// <summary>positions [3][count] -> features [L F][count]; keeps a copy of the positions for <see cref="Backward"/>.</summary>
    public void Forward(ReadOnlySpan<float> input, int count, Span<float> output, ModuleContext context)
    {
        HashGridContext ctx = Own(context);
        ctx.CheckCount(count);
        CheckSpans(input, count, output);
        input[..(3 * count)].CopyTo(ctx.Positions);
        ctx.Count = count;
        ctx.Worker.Forward(store.ValuesOf(Embeddings), ctx.Positions.AsSpan(0, 3 * count), count, output, Threads, Path);
    }

    /// <summary>
    /// Saves <paramref name="input"/> for <see cref="Backward"/> exactly as <see cref="Forward"/> does, without computing
    /// the output: for a caller that already holds this input's features (computed by an earlier forward over a
    /// superset of the points, as the ngp model's visibility pass does).
    /// </summary>
    public void SaveInputs(ReadOnlySpan<float> input, int count, ModuleContext context)
    {
        HashGridContext ctx = Own(context);
        ctx.CheckCount(count);
        if (input.Length < 3 * count)
        {
            throw new ArgumentException($"input holds {input.Length} values, {count} items need {3 * count}", nameof(input));
        }

        input[..(3 * count)].CopyTo(ctx.Positions);
        ctx.Count = count;
    }

    /// <summary>
    /// The forward for inference: same outputs as <see cref="Forward"/>, but nothing is saved (any count; what a later
    /// <see cref="Backward"/> uses is unchanged). The context lends its worker only.
    /// </summary>
    public void Infer(ReadOnlySpan<float> input, int count, Span<float> output, ModuleContext context)
    {
        HashGridContext ctx = Own(context);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CheckSpans(input, count, output);
        ctx.Worker.Forward(store.ValuesOf(Embeddings), input[..(3 * count)], count, output, Threads, Path);
    }

    public void Backward(ModuleContext context, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        HashGridContext ctx = Own(context);
        int count = ctx.Count;
        if (dLdOutput.Length < OutputWidth * count)
        {
            throw new ArgumentException($"dLdOutput holds {dLdOutput.Length} values, {count} items need {OutputWidth * count}", nameof(dLdOutput));
        }

        if (!dLdInput.IsEmpty && dLdInput.Length < 3 * count)
        {
            throw new ArgumentException($"dLdInput holds {dLdInput.Length} values, {count} items need {3 * count}", nameof(dLdInput));
        }

        ctx.Worker.Backward(
            store.ValuesOf(Embeddings), store.GradientsOf(Embeddings), ctx.Positions.AsSpan(0, 3 * count), count,
            dLdOutput[..(OutputWidth * count)], dLdInput.IsEmpty ? default : dLdInput[..(3 * count)], ctx.Scratch, Threads, Path);
    }

    /// <summary>
    /// The level where the second backward group starts: balances an estimated per-level cost (a level whose table
    /// fits in a core's L2 cache counts half of one that does not).
    /// </summary>
    private static int BalancedSplit(HashGridLevel[] levels)
    {
        double[] cost = new double[levels.Length];
        double total = 0;
        for (int l = 0; l < levels.Length; l++)
        {
            cost[l] = levels[l].TableSize <= (1 << 17) ? 0.5 : 1.0;
            total += cost[l];
        }

        double prefix = 0;
        int best = levels.Length;
        double bestGap = double.MaxValue;
        for (int s = 1; s < levels.Length; s++)
        {
            prefix += cost[s - 1];
            double gap = Math.Abs((2 * prefix) - total);
            if (gap < bestGap)
            {
                bestGap = gap;
                best = s;
            }
        }

        return best;
    }

    private static void CheckLevel(HashGridConfig config, int level)
    {
        ArgumentNullException.ThrowIfNull(config);
        if ((uint)level >= (uint)config.Levels)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"the encoding has {config.Levels} levels");
        }
    }

    private HashGridContext Own(ModuleContext context)
    {
        if (context is not HashGridContext ctx || ctx.Owner != this)
        {
            throw new ArgumentException("the context was not created by this encoding", nameof(context));
        }

        return ctx;
    }

    private void CheckSpans(ReadOnlySpan<float> input, int count, Span<float> output)
    {
        if (input.Length < 3 * count)
        {
            throw new ArgumentException($"input holds {input.Length} values, {count} items need {3 * count}", nameof(input));
        }

        if (output.Length < OutputWidth * count)
        {
            throw new ArgumentException($"output holds {output.Length} values, {count} items need {OutputWidth * count}", nameof(output));
        }
    }
}

/// <summary>What one user of a <see cref="HashGridEncoding"/> keeps: a copy of the last forward's positions, scratch for
/// the second backward group's position gradients, and the worker that runs the kernels.</summary>
public sealed class HashGridContext : ModuleContext
{
    internal HashGridContext(HashGridEncoding owner, int capacity, HashGridWorker worker)
        : base(capacity)
    {
        Owner = owner;
        Worker = worker;
        Positions = new float[3 * capacity];
        Scratch = new float[3 * capacity];
    }

    internal HashGridEncoding Owner { get; }

    internal HashGridWorker Worker { get; }

    /// <summary>The last forward's positions [3][Count] (stride Count).</summary>
    internal float[] Positions { get; }

    internal float[] Scratch { get; }
}
