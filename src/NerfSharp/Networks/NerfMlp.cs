using NerfSharp.Parameters;
using NerfSharp.Kernels;
using NerfSharp.Numerics;

namespace NerfSharp.Networks;

/// <summary>
/// nerf-pytorch's NeRF MLP with hand-written forward and backward passes on the blocked SIMD GEMM kernels.
/// Trunk: h = relu(pts_linears[i](h)), with h = cat([input_pts, h]) after layer <see cref="NerfMlpConfig.Skip"/>.
/// With view directions: sigma = alpha_linear(h), feature = feature_linear(h) (no ReLU),
/// h = relu(views_linears[0](cat([feature, input_views]))), rgb = rgb_linear(h); output rows [r, g, b, sigma]
/// (raw, no activation). Without: output = output_linear(h). Parameters live in a <see cref="ParameterStore"/>
/// under PyTorch's names and layout, so nerf-pytorch checkpoints load directly.
/// Batches run over tiles of points that threads take as they become free; weight gradients are accumulated per
/// fixed chunk of tiles and reduced in chunk order, so results are bit-identical run to run, whatever the thread count.
/// </summary>
public sealed class NerfMlp
{
    /// <summary>Output rows: r, g, b, sigma (raw).</summary>
    public const int OutputWidth = 4;

    private const int B = BlockedLayout.BlockWidth;

    private readonly ParameterStore store;
    private readonly DenseLayer[] layers;
    private readonly ActivationSlot points;
    private readonly ActivationSlot? views;
    private readonly ActivationSlot[] outputs;
    private readonly int tileBlocks;
    private readonly int scratchBlocks;
    private readonly int packedLength;
    private readonly int biasLength;

    public NerfMlp(NerfMlpConfig config, ParameterStore store, string prefix)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.Depth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.Width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.PointChannels);
        if (config.UseViewDirs)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.ViewChannels);
            if (config.Width < 2)
            {
                throw new ArgumentException("Width must be at least 2 with view directions (the view branch has Width / 2 units)", nameof(config));
            }
        }

        if (config.Skip > config.Depth - 2)
        {
            throw new ArgumentException($"Skip {config.Skip} must be below Depth - 1 = {config.Depth - 1} (negative for no skip connection)", nameof(config));
        }

        Config = config;
        this.store = store;
        InputWidth = config.PointChannels + (config.UseViewDirs ? config.ViewChannels : 0);
        string p = prefix.Length == 0 ? string.Empty : prefix + ".";
        int d = config.Depth, w = config.Width;
        bool hasSkip = config.Skip >= 0;

        // Parameters in nerf-pytorch's state_dict order.
        var weights = new (ParameterTensor W, ParameterTensor B)[d];
        for (int i = 0; i < d; i++)
        {
            int inputs = i == 0 ? config.PointChannels : hasSkip && i - 1 == config.Skip ? w + config.PointChannels : w;
            weights[i] = Register(store, $"{p}pts_linears.{i}", w, inputs);
        }

        // Activation slots of one tile; the skip input [input_pts, h_skip] and the view input [feature, input_views]
        // are adjacent blocks, so each concatenation is free.
        int next = 0;
        ActivationSlot Slot(string name, int features, bool relu, bool isInput = false)
        {
            var slot = new ActivationSlot(name, features, next, relu, isInput);
            next += slot.Blocks;
            return slot;
        }

        points = Slot("input_pts", config.PointChannels, false, isInput: true);
        var hidden = new ActivationSlot[d];
        if (hasSkip)
        {
            hidden[config.Skip] = Slot($"h{config.Skip}", w, true);
        }

        for (int i = 0; i < d; i++)
        {
            hidden[i] ??= Slot($"h{i}", w, true);
        }

        var list = new List<DenseLayer>();
        for (int i = 0; i < d; i++)
        {
            ActivationSlot[] input = i == 0 ? [points] : hasSkip && i - 1 == config.Skip ? [points, hidden[config.Skip]] : [hidden[i - 1]];
            list.Add(new DenseLayer(weights[i].W, weights[i].B, input, hidden[i], relu: true));
        }

        ActivationSlot trunk = hidden[d - 1];
        if (config.UseViewDirs)
        {
            var viewsLinear = Register(store, $"{p}views_linears.0", w / 2, w + config.ViewChannels);
            var featureLinear = Register(store, $"{p}feature_linear", w, w);
            var alphaLinear = Register(store, $"{p}alpha_linear", 1, w);
            var rgbLinear = Register(store, $"{p}rgb_linear", 3, w / 2);
            var feature = Slot("feature", w, false);
            views = Slot("input_views", config.ViewChannels, false, isInput: true);
            var viewsHidden = Slot("views_hidden", w / 2, true);
            var rgb = Slot("rgb", 3, false);
            var alpha = Slot("alpha", 1, false);
            list.Add(new DenseLayer(alphaLinear.W, alphaLinear.B, [trunk], alpha, relu: false));
            list.Add(new DenseLayer(featureLinear.W, featureLinear.B, [trunk], feature, relu: false));
            list.Add(new DenseLayer(viewsLinear.W, viewsLinear.B, [feature, views], viewsHidden, relu: true));
            list.Add(new DenseLayer(rgbLinear.W, rgbLinear.B, [viewsHidden], rgb, relu: false));
            outputs = [rgb, alpha];
        }
        else
        {
            var outputLinear = Register(store, $"{p}output_linear", OutputWidth, w);
            var output = Slot("output", OutputWidth, false);
            list.Add(new DenseLayer(outputLinear.W, outputLinear.B, [trunk], output, relu: false));
            outputs = [output];
        }

        // Saved activations end here; a thread's gradient scratch also holds the gradients of the network's outputs
        // and inputs (converted from and to the caller's feature-major spans tile by tile).
        tileBlocks = next;
        foreach (ActivationSlot s in outputs.Append(points).Concat(views == null ? [] : [views]))
        {
            s.GradientBlockOffset = next;
            next += s.Blocks;
        }

        scratchBlocks = next;
        layers = list.ToArray();

        // Backward order is the reverse of forward order: the first layer there to reach a slot writes its gradient,
        // later ones add, and the last applies the ReLU mask of the slot's producer.
        var seen = new HashSet<ActivationSlot>();
        var last = new Dictionary<ActivationSlot, (DenseLayer Layer, int Index)>();
        for (int li = layers.Length - 1; li >= 0; li--)
        {
            DenseLayer layer = layers[li];
            layer.FirstInputGradient = new bool[layer.Inputs.Length];
            layer.MasksInputGradient = new bool[layer.Inputs.Length];
            for (int i = 0; i < layer.Inputs.Length; i++)
            {
                layer.FirstInputGradient[i] = seen.Add(layer.Inputs[i]);
                last[layer.Inputs[i]] = (layer, i);
            }
        }

        foreach (var (slot, (layer, index)) in last)
        {
            layer.MasksInputGradient[index] = slot.ProducedByRelu;
        }

        foreach (DenseLayer layer in layers)
        {
            layer.PackedOffset = packedLength;
            packedLength += layer.PackedLength;
            layer.BiasOffset = biasLength;
            biasLength += layer.PaddedOut;
        }
    }

    public NerfMlpConfig Config { get; }

    /// <summary>PointChannels + (UseViewDirs ? ViewChannels : 0).</summary>
    public int InputWidth { get; }

    /// <summary>
    /// PyTorch's nn.Linear default initialisation: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in)), drawn tensor by tensor
    /// in registration order (weight row-major, then bias). The store must be frozen.
    /// </summary>
    public void Initialize(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        foreach (DenseLayer layer in layers.OrderBy(l => l.Weight.Offset))
        {
            float bound = 1f / MathF.Sqrt(layer.Weight.Shape[1]);
            foreach (ParameterTensor t in new[] { layer.Weight, layer.Bias })
            {
                Span<float> values = store.ValuesOf(t);
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = ((2f * rng.NextFloat()) - 1f) * bound;
                }
            }
        }
    }

    /// <summary>A workspace for batches of up to <paramref name="maxPoints"/> points, using one thread per processor.</summary>
    public NerfMlpWorkspace CreateWorkspace(int maxPoints) => CreateWorkspace(maxPoints, ParallelJob.DefaultParts);

    /// <summary>A workspace for batches of up to <paramref name="maxPoints"/> points split over <paramref name="threads"/> threads.</summary>
    public NerfMlpWorkspace CreateWorkspace(int maxPoints, int threads) =>
        new(this, maxPoints, threads, tileBlocks, scratchBlocks, packedLength, biasLength);

    /// <summary>
    /// Evaluates <paramref name="count"/> points. <paramref name="input"/> is feature-major [InputWidth][count]
    /// (encoded points, then encoded view directions); <paramref name="output"/> is feature-major [4][count]
    /// (r, g, b, sigma raw). Saves what <see cref="Backward"/> needs in <paramref name="workspace"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, int count, Span<float> output, NerfMlpWorkspace workspace)
    {
        CheckWorkspace(workspace);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > workspace.MaxPoints)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"{count} points exceed the workspace's {workspace.MaxPoints}");
        }

        CheckLength(input.Length, InputWidth * count, nameof(input));
        CheckLength(output.Length, OutputWidth * count, nameof(output));
        workspace.Count = -1;
        if (count == 0)
        {
            workspace.Count = 0;
            return;
        }

        workspace.Count = count;
        int parts = Math.Min(workspace.Threads, workspace.TileCount);
        workspace.PackForwardJob.Run(parts);
        workspace.ResetWork();
        workspace.ForwardJob.Run(parts, input, output);
    }

    /// <summary>
    /// Back-propagates <paramref name="dLdOutput"/> (feature-major [4][count]) through the last <see cref="Forward"/> on
    /// <paramref name="workspace"/>, ADDING parameter gradients to the store's gradients. <paramref name="dLdInput"/>:
    /// empty to skip input gradients, else feature-major [InputWidth][count], overwritten.
    /// </summary>
    public void Backward(NerfMlpWorkspace workspace, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        CheckWorkspace(workspace);
        int count = workspace.Count;
        if (count < 0)
        {
            throw new InvalidOperationException("Backward needs a Forward on this workspace first");
        }

        CheckLength(dLdOutput.Length, OutputWidth * count, nameof(dLdOutput));
        bool inputGradient = !dLdInput.IsEmpty;
        if (inputGradient)
        {
            CheckLength(dLdInput.Length, InputWidth * count, nameof(dLdInput));
        }

        if (count == 0)
        {
            return;
        }

        workspace.InputGradientRequested = inputGradient;
        int parts = Math.Min(workspace.Threads, workspace.ChunkCount);
        workspace.PackTransposedJob.Run(parts);
        workspace.ResetWork();
        workspace.BackwardJob.Run(parts, dLdOutput, dLdInput);
        workspace.ReduceJob.Run(parts);
    }

    /// <summary>Packs output rows [part / parts) of every layer's weights (forward panels and bias, or transposed panels).</summary>
    internal void PackLayers(NerfMlpWorkspace workspace, int part, int parts, bool transposed)
    {
        foreach (DenseLayer layer in layers)
        {
            int first = layer.PaddedOut * part / parts, end = layer.PaddedOut * (part + 1) / parts;
            ReadOnlySpan<float> weight = store.ValuesOf(layer.Weight);
            int outputs = layer.Output.Features;
            if (transposed)
            {
                WeightPacking.PackTransposed(weight, outputs, layer.InputSegments, workspace.PackedTransposed.AsSpan(layer.PackedOffset, layer.PackedLength), first, end);
                continue;
            }

            WeightPacking.PackForward(weight, outputs, layer.InputSegments, workspace.Packed.AsSpan(layer.PackedOffset, layer.PackedLength), first, end);
            ReadOnlySpan<float> bias = store.ValuesOf(layer.Bias);
            Span<float> packedBias = workspace.PackedBias.AsSpan(layer.BiasOffset, layer.PaddedOut);
            for (int n = first; n < end; n++)
            {
                packedBias[n] = n < outputs ? bias[n] : 0f;
            }
        }
    }

    /// <summary>
    /// Adds the chunks' partials into the store's gradients for output rows [part / parts) of every layer, summing
    /// them in chunk order (so the result does not depend on which thread reduces what).
    /// </summary>
    internal void ReduceLayers(NerfMlpWorkspace workspace, int part, int parts)
    {
        foreach (DenseLayer layer in layers)
        {
            int outputs = layer.Output.Features;
            int first = outputs * part / parts, end = outputs * (part + 1) / parts;
            Span<float> dW = store.GradientsOf(layer.Weight);
            Span<float> db = store.GradientsOf(layer.Bias);
            for (int c = 0; c < workspace.ChunkCount; c++)
            {
                float[] partial = workspace.ChunkGradients[c];
                WeightPacking.AddWeightGradient(partial.AsSpan(layer.PackedOffset, layer.PackedLength), outputs, layer.InputSegments, dW, first, end);
                ReadOnlySpan<float> bp = partial.AsSpan(packedLength + layer.BiasOffset, outputs);
                for (int n = first; n < end; n++)
                {
                    db[n] += bp[n];
                }
            }
        }
    }

    /// <summary>Forward pass of tiles [first, end) (one thread's share).</summary>
    internal void ForwardTiles(NerfMlpWorkspace workspace, int first, int end, ReadOnlySpan<float> input, Span<float> output)
    {
        int stride = workspace.BlockStride;
        int count = workspace.Count;
        for (int t = first; t < end; t++)
        {
            int p0 = t * NerfMlpWorkspace.TilePoints, n = Math.Min(NerfMlpWorkspace.TilePoints, count - p0);
            Span<float> tile = workspace.Tile(t);
            BlockedLayout.FromFeatureMajor(input[p0..], count, Config.PointChannels, n, tile[(points.BlockOffset * stride)..], stride);
            if (views != null)
            {
                BlockedLayout.FromFeatureMajor(input[((Config.PointChannels * count) + p0)..], count, Config.ViewChannels, n, tile[(views.BlockOffset * stride)..], stride);
            }

            foreach (DenseLayer layer in layers)
            {
                BlockedGemm.Forward(
                    tile[(layer.InputBlockOffset * stride)..],
                    stride,
                    layer.InputBlocks,
                    workspace.Packed.AsSpan(layer.PackedOffset, layer.PackedLength),
                    workspace.PackedBias.AsSpan(layer.BiasOffset, layer.PaddedOut),
                    tile[(layer.Output.BlockOffset * stride)..],
                    stride,
                    layer.Output.Blocks,
                    n,
                    layer.Relu);
            }

            int row = 0;
            foreach (ActivationSlot slot in outputs)
            {
                BlockedLayout.ToFeatureMajor(tile[(slot.BlockOffset * stride)..], stride, 0, slot.Features, n, output[((row * count) + p0)..], count, accumulate: false);
                row += slot.Features;
            }
        }
    }

    /// <summary>Backward pass of chunk <paramref name="chunk"/> = tiles [first, end), on thread <paramref name="part"/>'s scratch.</summary>
    internal void BackwardTiles(NerfMlpWorkspace workspace, int part, int chunk, int first, int end, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        int stride = workspace.BlockStride;
        int count = workspace.Count;
        float[] partial = workspace.ChunkGradients[chunk];
        Array.Clear(partial);
        Span<float> scratch = workspace.PartScratch[part];
        bool inputGradient = workspace.InputGradientRequested;
        for (int t = first; t < end; t++)
        {
            int p0 = t * NerfMlpWorkspace.TilePoints, n = Math.Min(NerfMlpWorkspace.TilePoints, count - p0);
            Span<float> tile = workspace.Tile(t);
            int row = 0;
            foreach (ActivationSlot slot in outputs)
            {
                BlockedLayout.FromFeatureMajor(dLdOutput[((row * count) + p0)..], count, slot.Features, n, scratch[(slot.GradientBlockOffset * stride)..], stride);
                row += slot.Features;
            }

            for (int li = layers.Length - 1; li >= 0; li--)
            {
                DenseLayer layer = layers[li];
                ActivationSlot o = layer.Output;
                ReadOnlySpan<float> dy = scratch[(o.GradientBlockOffset * stride)..];
                BlockedGemm.WeightGradient(dy, stride, o.Blocks, tile[(layer.InputBlockOffset * stride)..], stride, layer.InputBlocks, n, partial.AsSpan(layer.PackedOffset, layer.PackedLength), layer.PaddedIn);
                BlockedGemm.BiasGradient(dy, stride, o.Blocks, n, partial.AsSpan(packedLength + layer.BiasOffset, layer.PaddedOut));
                int relative = 0;
                for (int i = 0; i < layer.Inputs.Length; i++)
                {
                    ActivationSlot s = layer.Inputs[i];
                    if (!s.IsInput || inputGradient)
                    {
                        Span<float> dx = scratch[(s.GradientBlockOffset * stride)..];
                        BlockedGemm.InputGradient(
                            dy,
                            stride,
                            o.Blocks,
                            workspace.PackedTransposed.AsSpan(layer.PackedOffset + (relative * BlockedGemm.PanelLength(o.Blocks)), s.Blocks * BlockedGemm.PanelLength(o.Blocks)),
                            dx,
                            stride,
                            s.Blocks,
                            n,
                            accumulate: !layer.FirstInputGradient[i],
                            layer.MasksInputGradient[i] ? tile[(s.BlockOffset * stride)..] : default,
                            stride);
                    }

                    relative += s.Blocks;
                }
            }

            if (inputGradient)
            {
                BlockedLayout.ToFeatureMajor(scratch[(points.GradientBlockOffset * stride)..], stride, 0, Config.PointChannels, n, dLdInput[p0..], count, accumulate: false);
                if (views != null)
                {
                    BlockedLayout.ToFeatureMajor(scratch[(views.GradientBlockOffset * stride)..], stride, 0, Config.ViewChannels, n, dLdInput[((Config.PointChannels * count) + p0)..], count, accumulate: false);
                }
            }
        }
    }

    private static (ParameterTensor W, ParameterTensor B) Register(ParameterStore store, string name, int outputs, int inputs) =>
        (store.Add(name + ".weight", [outputs, inputs]), store.Add(name + ".bias", [outputs]));

    private void CheckWorkspace(NerfMlpWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (workspace.Owner != this)
        {
            throw new ArgumentException("the workspace was created by another NerfMlp", nameof(workspace));
        }
    }

    private static void CheckLength(int length, int expected, string name)
    {
        if (length < expected)
        {
            throw new ArgumentException($"{name} has {length} floats, needs {expected}", name);
        }
    }
}
