using NerfSharp.Kernels;
using NerfSharp.Modules;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Networks;

/// <summary>
/// A plain fully connected network (tiny-cuda-nn's FullyFusedMLP / CutlassMLP in C#): layer i computes
/// h_i = act_i(W_i h_{i-1} (+ b_i)) with W_i of shape [out, in] stored under <c>{prefix}.layers.{i}.weight</c>
/// (and <c>.bias</c>) in one parameter group. Runs on the blocked SIMD GEMM kernels: items are processed in tiles of
/// <see cref="MlpContext.TilePoints"/>, each tile's activations kept in <see cref="BlockedLayout"/>; ReLU is fused
/// into the GEMM epilogue (forward) and the input-gradient epilogue (backward mask); sigmoid and trunc_exp run as a
/// vector pass over the tile. Threads take tiles (forward) or fixed chunks of tiles (backward) as they become free;
/// each chunk accumulates its own weight-gradient partial and partials are added in chunk order, so results are
/// bit-identical run to run whatever the thread count. Nothing is allocated per call.
/// </summary>
public sealed class Mlp : IDifferentiableModule
{
    private const int B = BlockedLayout.BlockWidth;

    private readonly ParameterStore store;
    private readonly LayerPlan[] layers;
    private readonly int tileBlocks;
    private readonly int packedLength;
    private readonly int biasLength;

    public Mlp(MlpConfig config, ParameterStore store, string prefix, string group = "mlp")
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(config.Layers);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.InputWidth);
        if (config.Layers.Count == 0)
        {
            throw new ArgumentException("an MLP needs at least one layer", nameof(config));
        }

        Config = config;
        this.store = store;
        string p = prefix.Length == 0 ? string.Empty : prefix + ".";

        // Tile layout: the input, then per layer its GEMM output (pre-activation) and, for sigmoid / trunc_exp, a
        // separate slot for the activated output. ReLU and identity layers keep only their (activated) output.
        int next = BlockedLayout.BlockCount(config.InputWidth);
        int inputOffset = 0, inputs = config.InputWidth;
        layers = new LayerPlan[config.Layers.Count];
        for (int i = 0; i < layers.Length; i++)
        {
            MlpLayer spec = config.Layers[i] ?? throw new ArgumentException($"layer {i} is null", nameof(config));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.Outputs);
            if (!Enum.IsDefined(spec.Activation))
            {
                throw new ArgumentException($"layer {i} has an unknown activation {spec.Activation}", nameof(config));
            }

            ParameterTensor weight = store.Add($"{p}layers.{i}.weight", [spec.Outputs, inputs], group);
            ParameterTensor? bias = config.Bias ? store.Add($"{p}layers.{i}.bias", [spec.Outputs], group) : null;
            int outBlocks = BlockedLayout.BlockCount(spec.Outputs);
            int pre = next;
            next += outBlocks;
            int post = pre;
            if (spec.Activation is Activation.Sigmoid or Activation.TruncExp)
            {
                post = next;
                next += outBlocks;
            }

            var plan = new LayerPlan(weight, bias, inputs, spec.Outputs, spec.Activation, inputOffset, pre, post)
            {
                PackedOffset = packedLength,
                BiasOffset = biasLength,
            };
            packedLength += plan.PackedLength;
            biasLength += plan.PaddedOut;
            layers[i] = plan;
            inputOffset = post;
            inputs = spec.Outputs;
        }

        tileBlocks = next;
        InputWidth = config.InputWidth;
        OutputWidth = inputs;
        int parameters = 0;
        foreach (LayerPlan layer in layers)
        {
            parameters += layer.Weight.Length + (layer.Bias?.Length ?? 0);
        }

        ParameterCount = parameters;
    }

    public MlpConfig Config { get; }

    public int InputWidth { get; }

    public int OutputWidth { get; }

    public int ParameterCount { get; }

    /// <summary>Multiply-adds of one item's forward pass: sum over layers of in x out (without padding).</summary>
    public long MacsPerItem
    {
        get
        {
            long macs = 0;
            foreach (LayerPlan layer in layers)
            {
                macs += (long)layer.Inputs * layer.Outputs;
            }

            return macs;
        }
    }

    /// <summary>
    /// Xavier (Glorot) uniform: W ~ U(-a, a) with a = sqrt(6 / (in + out)), drawn layer by layer (row-major); biases 0.
    /// This is tiny-cuda-nn's FullyFusedMLP initialisation (which has no bias), the one Instant-NGP trains its hash-grid
    /// NeRF with: it keeps the activations' variance about constant through the ReLU layers at these small widths,
    /// while PyTorch's kaiming-uniform default (a = 1/sqrt(in)) starts the width-64 layers with smaller outputs.
    /// The store must be frozen.
    /// </summary>
    public void Initialize(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        foreach (LayerPlan layer in layers)
        {
            float bound = MathF.Sqrt(6f / (layer.Inputs + layer.Outputs));
            Span<float> values = store.ValuesOf(layer.Weight);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = ((2f * rng.NextFloat()) - 1f) * bound;
            }

            if (layer.Bias != null)
            {
                store.ValuesOf(layer.Bias).Clear();
            }
        }
    }

    /// <summary>A context for up to <paramref name="capacity"/> items per call, one thread per processor.</summary>
    public ModuleContext CreateContext(int capacity) => CreateContext(capacity, ParallelJob.DefaultParts);

    /// <summary>A context for up to <paramref name="capacity"/> items per call, split over at most <paramref name="threads"/> threads.</summary>
    public MlpContext CreateContext(int capacity, int threads) => new(this, capacity, threads, tileBlocks, packedLength, biasLength);

    /// <summary>
    /// input: feature-major [InputWidth][count] -> output: feature-major [OutputWidth][count] (activated). Saves the
    /// tiles' activations in <paramref name="context"/> for <see cref="Backward"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, int count, Span<float> output, ModuleContext context)
    {
        MlpContext c = CheckContext(context);
        c.CheckCount(count);
        CheckLength(input.Length, InputWidth * count, nameof(input));
        CheckLength(output.Length, OutputWidth * count, nameof(output));
        c.Count = count;
        c.ForwardDone = false;
        if (count == 0)
        {
            c.ForwardDone = true;
            return;
        }

        PackForward(c);
        c.ResetWork();
        c.ForwardJob.Run(Math.Min(c.Threads, c.TileCount), input, output);
        c.ForwardDone = true;
    }

    /// <summary>
    /// dLdOutput: feature-major [OutputWidth][count] of the context's last forward. ADDS the parameter gradients to the
    /// store's gradients; when <paramref name="dLdInput"/> is not empty, OVERWRITES it with dL/dinput [InputWidth][count].
    /// </summary>
    public void Backward(ModuleContext context, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        MlpContext c = CheckContext(context);
        if (!c.ForwardDone)
        {
            throw new InvalidOperationException("Backward needs a completed Forward on this context first");
        }

        int count = c.Count;
        CheckLength(dLdOutput.Length, OutputWidth * count, nameof(dLdOutput));
        c.InputGradientRequested = !dLdInput.IsEmpty;
        if (c.InputGradientRequested)
        {
            CheckLength(dLdInput.Length, InputWidth * count, nameof(dLdInput));
        }

        if (count == 0)
        {
            return;
        }

        PackTransposed(c);
        c.ResetWork();
        c.BackwardJob.Run(Math.Min(c.Threads, c.ChunkCount), dLdOutput, dLdInput);
        Reduce(c);
    }

    /// <summary>Forward pass of one tile: input conversion, the layers, output conversion.</summary>
    internal void ForwardTile(MlpContext c, int t, ReadOnlySpan<float> input, Span<float> output)
    {
        int stride = c.BlockStride;
        int count = c.Count;
        int p0 = t * MlpContext.TilePoints, n = Math.Min(MlpContext.TilePoints, count - p0);
        Span<float> tile = c.Tile(t);
        BlockedLayout.FromFeatureMajor(input[p0..], count, InputWidth, n, tile, stride);
        foreach (LayerPlan layer in layers)
        {
            BlockedGemm.Forward(
                tile[(layer.InputOffset * stride)..],
                stride,
                layer.InputBlocks,
                c.Packed.AsSpan(layer.PackedOffset, layer.PackedLength),
                layer.Bias == null ? default : c.PackedBias.AsSpan(layer.BiasOffset, layer.PaddedOut),
                tile[(layer.PreOffset * stride)..],
                stride,
                layer.OutputBlocks,
                n,
                layer.Activation == Activation.Relu);
            if (layer.PostOffset != layer.PreOffset)
            {
                for (int b = 0; b < layer.OutputBlocks; b++)
                {
                    Activations.Forward(layer.Activation, tile.Slice((layer.PreOffset + b) * stride, n * B), tile.Slice((layer.PostOffset + b) * stride, n * B));
                }

                ZeroPadding(tile[(layer.PostOffset * stride)..], stride, layer.Outputs, n);
            }
        }

        LayerPlan last = layers[^1];
        BlockedLayout.ToFeatureMajor(tile[(last.PostOffset * stride)..], stride, 0, last.Outputs, n, output[p0..], count, accumulate: false);
    }

    /// <summary>Backward pass of chunk <paramref name="chunk"/> = tiles [first, end), in thread <paramref name="part"/>'s scratch.</summary>
    internal void BackwardChunk(MlpContext c, int part, int chunk, int first, int end, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        int stride = c.BlockStride;
        int count = c.Count;
        Span<float> partial = c.ChunkGradients[chunk];
        partial.Clear();
        Span<float> scratch = c.PartScratch[part];
        bool inputGradient = c.InputGradientRequested;
        LayerPlan last = layers[^1];
        for (int t = first; t < end; t++)
        {
            int p0 = t * MlpContext.TilePoints, n = Math.Min(MlpContext.TilePoints, count - p0);
            Span<float> tile = c.Tile(t);
            BlockedLayout.FromFeatureMajor(dLdOutput[p0..], count, last.Outputs, n, scratch[(last.PostOffset * stride)..], stride);
            if (last.Activation == Activation.Relu)
            {
                for (int b = 0; b < last.OutputBlocks; b++)
                {
                    Span<float> g = scratch.Slice((last.PostOffset + b) * stride, n * B);
                    Activations.Backward(Activation.Relu, tile.Slice((last.PostOffset + b) * stride, n * B), g, g);
                }
            }

            for (int li = layers.Length - 1; li >= 0; li--)
            {
                LayerPlan layer = layers[li];
                if (layer.PostOffset != layer.PreOffset)
                {
                    for (int b = 0; b < layer.OutputBlocks; b++)
                    {
                        Activations.Backward(
                            layer.Activation,
                            tile.Slice((layer.PreOffset + b) * stride, n * B),
                            scratch.Slice((layer.PostOffset + b) * stride, n * B),
                            scratch.Slice((layer.PreOffset + b) * stride, n * B));
                    }
                }

                ReadOnlySpan<float> dy = scratch[(layer.PreOffset * stride)..];
                BlockedGemm.WeightGradient(dy, stride, layer.OutputBlocks, tile[(layer.InputOffset * stride)..], stride, layer.InputBlocks, n, partial.Slice(layer.PackedOffset, layer.PackedLength), layer.PaddedIn);
                if (layer.Bias != null)
                {
                    BlockedGemm.BiasGradient(dy, stride, layer.OutputBlocks, n, partial.Slice(packedLength + layer.BiasOffset, layer.PaddedOut));
                }

                if (li > 0 || inputGradient)
                {
                    bool masked = li > 0 && layers[li - 1].Activation == Activation.Relu;
                    BlockedGemm.InputGradient(
                        dy,
                        stride,
                        layer.OutputBlocks,
                        c.PackedTransposed.AsSpan(layer.PackedOffset, layer.PackedLength),
                        scratch[(layer.InputOffset * stride)..],
                        stride,
                        layer.InputBlocks,
                        n,
                        accumulate: false,
                        masked ? tile[(layer.InputOffset * stride)..] : default,
                        stride);
                }
            }

            if (inputGradient)
            {
                BlockedLayout.ToFeatureMajor(scratch, stride, 0, InputWidth, n, dLdInput[p0..], count, accumulate: false);
            }
        }
    }

    /// <summary>Zeroes the padding lanes (features past <paramref name="features"/>) of the last block of a blocked slot.</summary>
    private static void ZeroPadding(Span<float> slot, int stride, int features, int n)
    {
        int lanes = features % B;
        if (lanes == 0)
        {
            return;
        }

        Span<float> block = slot.Slice((features / B) * stride, n * B);
        for (int p = 0; p < n; p++)
        {
            block.Slice((p * B) + lanes, B - lanes).Clear();
        }
    }

    private static void CheckLength(int length, int expected, string name)
    {
        if (length < expected)
        {
            throw new ArgumentException($"{name} has {length} floats, needs {expected}", name);
        }
    }

    private MlpContext CheckContext(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context is not MlpContext c || c.Owner != this)
        {
            throw new ArgumentException("the context was not created by this Mlp", nameof(context));
        }

        return c;
    }

    private void PackForward(MlpContext c)
    {
        foreach (LayerPlan layer in layers)
        {
            WeightPacking.PackForward(store.ValuesOf(layer.Weight), layer.Outputs, layer.Segments, c.Packed.AsSpan(layer.PackedOffset, layer.PackedLength));
            if (layer.Bias != null)
            {
                Span<float> packedBias = c.PackedBias.AsSpan(layer.BiasOffset, layer.PaddedOut);
                packedBias.Clear();
                store.ValuesOf(layer.Bias).CopyTo(packedBias);
            }
        }
    }

    private void PackTransposed(MlpContext c)
    {
        foreach (LayerPlan layer in layers)
        {
            WeightPacking.PackTransposed(store.ValuesOf(layer.Weight), layer.Outputs, layer.Segments, c.PackedTransposed.AsSpan(layer.PackedOffset, layer.PackedLength));
        }
    }

    /// <summary>Adds the chunks' partials into the store's gradients in chunk order.</summary>
    private void Reduce(MlpContext c)
    {
        foreach (LayerPlan layer in layers)
        {
            Span<float> dW = store.GradientsOf(layer.Weight);
            for (int k = 0; k < c.ChunkCount; k++)
            {
                float[] partial = c.ChunkGradients[k];
                WeightPacking.AddWeightGradient(partial.AsSpan(layer.PackedOffset, layer.PackedLength), layer.Outputs, layer.Segments, dW);
                if (layer.Bias != null)
                {
                    Span<float> db = store.GradientsOf(layer.Bias);
                    ReadOnlySpan<float> bp = partial.AsSpan(packedLength + layer.BiasOffset, layer.Outputs);
                    for (int n = 0; n < db.Length; n++)
                    {
                        db[n] += bp[n];
                    }
                }
            }
        }
    }

    /// <summary>
    /// One layer as the tile sees it: parameters, widths, and block offsets of its input, its GEMM output
    /// (pre-activation) and its activated output (the same slot for identity and ReLU).
    /// </summary>
    private sealed class LayerPlan(ParameterTensor weight, ParameterTensor? bias, int inputs, int outputs, Activation activation, int inputOffset, int preOffset, int postOffset)
    {
        public ParameterTensor Weight { get; } = weight;

        public ParameterTensor? Bias { get; } = bias;

        public int Inputs { get; } = inputs;

        public int Outputs { get; } = outputs;

        public Activation Activation { get; } = activation;

        public int[] Segments { get; } = [inputs];

        public int InputOffset { get; } = inputOffset;

        public int PreOffset { get; } = preOffset;

        public int PostOffset { get; } = postOffset;

        public int InputBlocks => BlockedLayout.BlockCount(Inputs);

        public int OutputBlocks => BlockedLayout.BlockCount(Outputs);

        public int PaddedIn => BlockedLayout.PaddedWidth(Inputs);

        public int PaddedOut => BlockedLayout.PaddedWidth(Outputs);

        /// <summary>Floats of one packed matrix and of one weight-gradient partial (PaddedOut x PaddedIn).</summary>
        public int PackedLength => PaddedIn * PaddedOut;

        public int PackedOffset { get; init; }

        public int BiasOffset { get; init; }
    }
}
