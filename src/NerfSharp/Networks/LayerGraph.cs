using NerfSharp.Kernels;
using NerfSharp.Parameters;

namespace NerfSharp.Networks;

/// <summary>
/// The one engine behind every MLP (<see cref="Mlp"/>, <see cref="NerfMlp"/>): a network declared as activation
/// slots of a tile (network inputs, hidden activations, outputs) and dense layers between them, run forward and
/// backward on the blocked SIMD GEMM kernels. Concatenated inputs (skip connections, the view branch) are adjacent
/// slots, so they cost nothing. ReLU is fused into the GEMM epilogue (forward) and into the input-gradient epilogue
/// (the mask of the producer's saved output); sigmoid and trunc_exp run as a vector pass from a pre-activation slot
/// to an activated slot. Network inputs are converted from the caller's feature-major rows into the tile, outputs
/// back, tile by tile.
/// Batches run over tiles of <see cref="TilePoints"/> points that threads take as they become free; backward splits the
/// tiles into a fixed number of chunks, each accumulating its own weight-gradient partial, reduced in chunk order,
/// so results are bit-identical run to run, whatever the thread count.
/// </summary>
internal sealed class LayerGraph
{
    private const int B = BlockedLayout.BlockWidth;

    private readonly ParameterStore store;
    private readonly ActivationSlot[] inputs;
    private readonly DenseLayer[] layers;
    private readonly ActivationSlot[] outputs;

    /// <summary>
    /// Declares the network. <paramref name="tileBlocks"/>: blocks the slots occupy in a tile (slots were laid out by the
    /// caller); <paramref name="tilePoints"/>: points per tile; <paramref name="gradientChunks"/>: most chunks a backward
    /// pass splits its tiles into (tile size and chunks fix the summation order of the weight gradients). Inputs and
    /// outputs are concatenated in the order given.
    /// </summary>
    public LayerGraph(ParameterStore store, ActivationSlot[] inputs, DenseLayer[] layers, ActivationSlot[] outputs, int tileBlocks, int tilePoints, int gradientChunks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tilePoints);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gradientChunks);
        TilePoints = tilePoints;
        this.store = store;
        this.inputs = inputs;
        this.layers = layers;
        this.outputs = outputs;
        TileBlocks = tileBlocks;
        GradientChunks = gradientChunks;
        InputWidth = inputs.Sum(s => s.Features);
        OutputWidth = outputs.Sum(s => s.Features);
        foreach (DenseLayer layer in layers)
        {
            if (layer.Inputs.Any(s => outputs.Contains(s)))
            {
                throw new ArgumentException("a network output cannot also feed a layer", nameof(outputs));
            }
        }

        // A thread's gradient scratch holds the hidden activations' gradients at their tile offsets, then the gradients
        // of the network's outputs and inputs (converted from and to the caller's feature-major spans tile by tile).
        int next = tileBlocks;
        foreach (ActivationSlot s in outputs.Concat(inputs))
        {
            s.GradientBlockOffset = next;
            next += s.Blocks;
        }

        ScratchBlocks = next;

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
            layer.PackedOffset = PackedLength;
            PackedLength += layer.PackedLength;
            layer.BiasOffset = BiasLength;
            BiasLength += layer.PaddedOut;
        }
    }

    /// <summary>Points per tile.</summary>
    public int TilePoints { get; }

    public int InputWidth { get; }

    public int OutputWidth { get; }

    public int TileBlocks { get; }

    public int ScratchBlocks { get; }

    public int PackedLength { get; }

    public int BiasLength { get; }

    public int GradientChunks { get; }

    public IReadOnlyList<DenseLayer> Layers => layers;

    /// <summary>A workspace for batches of up to <paramref name="maxPoints"/> points split over <paramref name="threads"/> threads.</summary>
    public LayerGraphWorkspace CreateWorkspace(int maxPoints, int threads) => new(this, maxPoints, threads);

    /// <summary>input [InputWidth][count] -> output [OutputWidth][count], saving the tiles in the workspace. Arguments already checked.</summary>
    public void Forward(ReadOnlySpan<float> input, int count, Span<float> output, LayerGraphWorkspace workspace)
    {
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
    /// dLdOutput [OutputWidth][count] -> parameter gradients (added to the store's) and, when <paramref name="dLdInput"/>
    /// is not empty, dL/dinput [InputWidth][count] (overwritten). Arguments already checked; a forward has run.
    /// </summary>
    public void Backward(LayerGraphWorkspace workspace, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        if (workspace.Count == 0)
        {
            return;
        }

        workspace.InputGradientRequested = !dLdInput.IsEmpty;
        int parts = Math.Min(workspace.Threads, workspace.ChunkCount);
        workspace.PackTransposedJob.Run(parts);
        workspace.ResetWork();
        workspace.BackwardJob.Run(parts, dLdOutput, dLdInput);
        workspace.ReduceJob.Run(parts);
    }

    /// <summary>Packs output rows [part / parts) of every layer's weights (forward panels and bias, or transposed panels).</summary>
    internal void PackLayers(LayerGraphWorkspace workspace, int part, int parts, bool transposed)
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
            if (layer.Bias != null)
            {
                ReadOnlySpan<float> bias = store.ValuesOf(layer.Bias);
                Span<float> packedBias = workspace.PackedBias.AsSpan(layer.BiasOffset, layer.PaddedOut);
                for (int n = first; n < end; n++)
                {
                    packedBias[n] = n < outputs ? bias[n] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// Adds the chunks' partials into the store's gradients for output rows [part / parts) of every layer, summing
    /// them in chunk order (so the result does not depend on which thread reduces what).
    /// </summary>
    internal void ReduceLayers(LayerGraphWorkspace workspace, int part, int parts)
    {
        foreach (DenseLayer layer in layers)
        {
            int outputs = layer.Output.Features;
            int first = outputs * part / parts, end = outputs * (part + 1) / parts;
            Span<float> dW = store.GradientsOf(layer.Weight);
            Span<float> db = layer.Bias == null ? default : store.GradientsOf(layer.Bias);
            for (int c = 0; c < workspace.ChunkCount; c++)
            {
                float[] partial = workspace.ChunkGradients[c];
                WeightPacking.AddWeightGradient(partial.AsSpan(layer.PackedOffset, layer.PackedLength), outputs, layer.InputSegments, dW, first, end);
                if (layer.Bias != null)
                {
                    ReadOnlySpan<float> bp = partial.AsSpan(PackedLength + layer.BiasOffset, outputs);
                    for (int n = first; n < end; n++)
                    {
                        db[n] += bp[n];
                    }
                }
            }
        }
    }

    /// <summary>Forward pass of tiles [first, end) (one thread's share).</summary>
    internal void ForwardTiles(LayerGraphWorkspace workspace, int first, int end, ReadOnlySpan<float> input, Span<float> output)
    {
        int stride = workspace.BlockStride;
        int count = workspace.Count;
        for (int t = first; t < end; t++)
        {
            int p0 = t * TilePoints, n = Math.Min(TilePoints, count - p0);
            Span<float> tile = workspace.Tile(t);
            int row = 0;
            foreach (ActivationSlot slot in inputs)
            {
                BlockedLayout.FromFeatureMajor(input[((row * count) + p0)..], count, slot.Features, n, tile[(slot.BlockOffset * stride)..], stride);
                row += slot.Features;
            }

            foreach (DenseLayer layer in layers)
            {
                BlockedGemm.Forward(
                    tile[(layer.InputBlockOffset * stride)..],
                    stride,
                    layer.InputBlocks,
                    workspace.Packed.AsSpan(layer.PackedOffset, layer.PackedLength),
                    layer.Bias == null ? default : workspace.PackedBias.AsSpan(layer.BiasOffset, layer.PaddedOut),
                    tile[(layer.Output.BlockOffset * stride)..],
                    stride,
                    layer.Output.Blocks,
                    n,
                    layer.Relu);
                if (layer.Post != null)
                {
                    for (int b = 0; b < layer.Output.Blocks; b++)
                    {
                        Activations.Forward(layer.Activation, tile.Slice((layer.Output.BlockOffset + b) * stride, n * B), tile.Slice((layer.Post.BlockOffset + b) * stride, n * B));
                    }

                    ZeroPadding(tile[(layer.Post.BlockOffset * stride)..], stride, layer.Post.Features, n);
                }
            }

            row = 0;
            foreach (ActivationSlot slot in outputs)
            {
                BlockedLayout.ToFeatureMajor(tile[(slot.BlockOffset * stride)..], stride, 0, slot.Features, n, output[((row * count) + p0)..], count, accumulate: false);
                row += slot.Features;
            }
        }
    }

    /// <summary>Backward pass of chunk <paramref name="chunk"/> = tiles [first, end), on thread <paramref name="part"/>'s scratch.</summary>
    internal void BackwardTiles(LayerGraphWorkspace workspace, int part, int chunk, int first, int end, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        int stride = workspace.BlockStride;
        int count = workspace.Count;
        float[] partial = workspace.ChunkGradients[chunk];
        Array.Clear(partial);
        Span<float> scratch = workspace.PartScratch[part];
        bool inputGradient = workspace.InputGradientRequested;
        for (int t = first; t < end; t++)
        {
            int p0 = t * TilePoints, n = Math.Min(TilePoints, count - p0);
            Span<float> tile = workspace.Tile(t);
            int row = 0;
            foreach (ActivationSlot slot in outputs)
            {
                Span<float> g = scratch[(slot.GradientBlockOffset * stride)..];
                BlockedLayout.FromFeatureMajor(dLdOutput[((row * count) + p0)..], count, slot.Features, n, g, stride);
                if (slot.ProducedByRelu)
                {
                    for (int b = 0; b < slot.Blocks; b++)
                    {
                        Span<float> gb = g.Slice(b * stride, n * B);
                        Activations.Backward(Activation.Relu, tile.Slice((slot.BlockOffset + b) * stride, n * B), gb, gb);
                    }
                }

                row += slot.Features;
            }

            for (int li = layers.Length - 1; li >= 0; li--)
            {
                DenseLayer layer = layers[li];
                ActivationSlot o = layer.Output;
                if (layer.Post != null)
                {
                    for (int b = 0; b < o.Blocks; b++)
                    {
                        Activations.Backward(
                            layer.Activation,
                            tile.Slice((o.BlockOffset + b) * stride, n * B),
                            scratch.Slice((layer.Post.GradientBlockOffset + b) * stride, n * B),
                            scratch.Slice((o.GradientBlockOffset + b) * stride, n * B));
                    }
                }

                ReadOnlySpan<float> dy = scratch[(o.GradientBlockOffset * stride)..];
                BlockedGemm.WeightGradient(dy, stride, o.Blocks, tile[(layer.InputBlockOffset * stride)..], stride, layer.InputBlocks, n, partial.AsSpan(layer.PackedOffset, layer.PackedLength), layer.PaddedIn);
                if (layer.Bias != null)
                {
                    BlockedGemm.BiasGradient(dy, stride, o.Blocks, n, partial.AsSpan(PackedLength + layer.BiasOffset, layer.PaddedOut));
                }

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
                row = 0;
                foreach (ActivationSlot slot in inputs)
                {
                    BlockedLayout.ToFeatureMajor(scratch[(slot.GradientBlockOffset * stride)..], stride, 0, slot.Features, n, dLdInput[((row * count) + p0)..], count, accumulate: false);
                    row += slot.Features;
                }
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
}
