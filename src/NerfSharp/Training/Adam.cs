using NerfSharp.Parameters;

namespace NerfSharp.Training;

/// <summary>
/// torch.optim.Adam (bias-corrected, no weight decay, no amsgrad) over every tensor of a
/// <see cref="ParameterStore"/>. Each parameter group can scale the learning rate; the moments share
/// the store's flat layout so checkpoints can save them under the parameters' names.
/// Large stores are updated on all cores in fixed chunks (element-wise, so the result does not depend on the split).
/// </summary>
public sealed class Adam
{
    /// <summary>Elements per parallel work item; stores smaller than two chunks are updated on the calling thread.</summary>
    internal const int ParallelChunk = 1 << 15;

    private readonly ParameterStore store;
    private readonly AdamConfig config;
    private readonly AdamConfig[] groupConfigs;
    private readonly float[] firstMoment;
    private readonly float[] secondMoment;
    private readonly Dictionary<string, int> groupIndex = new(StringComparer.Ordinal);
    private readonly double[] groupScales;
    private readonly Segment[] segments;
    private readonly AdamUpdate.Coefficients[] stepCoefficients;
    private readonly Action<int> chunkBody;

    public Adam(ParameterStore store, AdamConfig config)
        : this(store, config, groupConfigs: null)
    {
    }

    /// <summary>
    /// An optimizer whose groups each have their own settings (betas, epsilon, weight decay); groups not listed use
    /// <paramref name="config"/>.
    /// </summary>
    public Adam(ParameterStore store, AdamConfig config, IReadOnlyDictionary<string, AdamConfig>? groupConfigs)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(config);
        if (!store.IsFrozen)
        {
            throw new ArgumentException("the parameter store must be frozen before an optimizer is created", nameof(store));
        }

        Validate(config);

        this.store = store;
        this.config = config;
        firstMoment = new float[store.Count];
        secondMoment = new float[store.Count];

        // Contiguous runs of tensors in one group become one segment.
        var list = new List<Segment>();
        foreach (var t in store.Tensors)
        {
            if (!groupIndex.TryGetValue(t.Group, out int g))
            {
                g = groupIndex.Count;
                groupIndex.Add(t.Group, g);
            }

            if (t.Length == 0)
            {
                continue;
            }

            if (list.Count > 0 && list[^1].Group == g && list[^1].Start + list[^1].Length == t.Offset)
            {
                list[^1] = list[^1] with { Length = list[^1].Length + t.Length };
            }
            else
            {
                list.Add(new Segment(t.Offset, t.Length, g));
            }
        }

        segments = [.. list];
        groupScales = new double[groupIndex.Count];
        Array.Fill(groupScales, 1.0);
        stepCoefficients = new AdamUpdate.Coefficients[groupIndex.Count];
        this.groupConfigs = new AdamConfig[groupIndex.Count];
        foreach (var (name, g) in groupIndex)
        {
            AdamConfig c = groupConfigs != null && groupConfigs.TryGetValue(name, out var own) ? own : config;
            Validate(c);
            this.groupConfigs[g] = c;
        }

        chunkBody = UpdateChunk;
    }

    /// <summary>The settings of <paramref name="group"/>.</summary>
    public AdamConfig GroupConfig(string group) => groupConfigs[IndexOf(group)];

    public AdamConfig Config => config;

    /// <summary>Steps taken so far (torch's state['step']); bias correction of the next step uses StepCount + 1.</summary>
    public long StepCount { get; internal set; }

    /// <summary>exp_avg, same layout as the store's Values.</summary>
    public float[] FirstMoment => firstMoment;

    /// <summary>exp_avg_sq, same layout as the store's Values.</summary>
    public float[] SecondMoment => secondMoment;

    /// <summary>The parameter groups of the store, in order of first appearance.</summary>
    public IReadOnlyCollection<string> Groups => groupIndex.Keys;

    /// <summary>The learning rate used for tensors of <paramref name="group"/> is learningRate * scale (default 1).</summary>
    public void SetGroupLearningRateScale(string group, double scale)
    {
        if (!double.IsFinite(scale) || scale < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "a learning-rate scale is finite and >= 0");
        }

        groupScales[IndexOf(group)] = scale;
    }

    public double GetGroupLearningRateScale(string group) => groupScales[IndexOf(group)];

    /// <summary>
    /// One Adam step with the store's current gradients (left as they are, except that groups with weight decay
    /// get weight_decay * p added to them, as torch does).
    /// </summary>
    public void Step(double learningRate)
    {
        if (!double.IsFinite(learningRate) || learningRate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate is finite and >= 0");
        }

        StepCount++;
        for (int g = 0; g < groupScales.Length; g++)
        {
            stepCoefficients[g] = AdamUpdate.For(groupConfigs[g], StepCount, learningRate * groupScales[g]);
        }

        UpdateAll();
    }

    /// <summary>One Adam step with a learning rate per group (<paramref name="learningRates"/>[g] for the g-th group of <see cref="Groups"/>).</summary>
    public void Step(ReadOnlySpan<double> learningRates)
    {
        if (learningRates.Length != groupScales.Length)
        {
            throw new ArgumentException($"{learningRates.Length} learning rates for {groupScales.Length} groups", nameof(learningRates));
        }

        StepCount++;
        for (int g = 0; g < groupScales.Length; g++)
        {
            double lr = learningRates[g];
            if (!double.IsFinite(lr) || lr < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(learningRates), lr, "a learning rate is finite and >= 0");
            }

            stepCoefficients[g] = AdamUpdate.For(groupConfigs[g], StepCount, lr * groupScales[g]);
        }

        UpdateAll();
    }

    /// <summary>Index of <paramref name="group"/> in <see cref="Groups"/> order.</summary>
    public int GroupIndexOf(string group) => IndexOf(group);

    private static void Validate(AdamConfig config)
    {
        if (!(config.Beta1 is >= 0 and < 1) || !(config.Beta2 is >= 0 and < 1) || !(config.Epsilon >= 0) || !(config.WeightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(config), config, "Adam needs 0 <= beta1, beta2 < 1, epsilon >= 0 and weight decay >= 0");
        }
    }

    private void UpdateAll()
    {
        int count = store.Count;
        int chunks = (count + ParallelChunk - 1) / ParallelChunk;
        if (chunks >= 2 && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, chunks, chunkBody);
        }
        else
        {
            UpdateRange(0, count);
        }
    }

    /// <summary>Restores a saved state (a resumed run continues exactly where it stopped).</summary>
    public void RestoreState(long stepCount, ReadOnlySpan<float> firstMoment, ReadOnlySpan<float> secondMoment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        if (firstMoment.Length != this.firstMoment.Length || secondMoment.Length != this.secondMoment.Length)
        {
            throw new ArgumentException($"Adam state has {firstMoment.Length}/{secondMoment.Length} moments, the store has {this.firstMoment.Length} parameters");
        }

        firstMoment.CopyTo(this.firstMoment);
        secondMoment.CopyTo(this.secondMoment);
        StepCount = stepCount;
    }

    private int IndexOf(string group) =>
        groupIndex.TryGetValue(group, out int g)
            ? g
            : throw new ArgumentException($"the parameter store has no group '{group}' (groups: {string.Join(", ", groupIndex.Keys)})", nameof(group));

    private void UpdateChunk(int chunk)
    {
        int start = chunk * ParallelChunk;
        UpdateRange(start, Math.Min(store.Count, start + ParallelChunk));
    }

    /// <summary>Updates elements [start, end), each segment piece with its group's coefficients.</summary>
    private void UpdateRange(int start, int end)
    {
        float[] values = store.Values;
        float[] gradients = store.Gradients;
        foreach (var s in segments)
        {
            int a = Math.Max(start, s.Start);
            int b = Math.Min(end, s.Start + s.Length);
            if (a < b)
            {
                double decay = groupConfigs[s.Group].WeightDecay;
                if (decay > 0)
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(values.AsSpan(a, b - a), (float)decay, gradients.AsSpan(a, b - a), gradients.AsSpan(a, b - a));
                }

                AdamUpdate.Apply(
                    values.AsSpan(a, b - a),
                    gradients.AsSpan(a, b - a),
                    firstMoment.AsSpan(a, b - a),
                    secondMoment.AsSpan(a, b - a),
                    stepCoefficients[s.Group]);
            }
        }
    }

    private readonly record struct Segment(int Start, int Length, int Group);
}
