using NerfSharp.Kernels;
using NerfSharp.Parameters;

namespace NerfSharp.Networks;

/// <summary>
/// One linear layer of a <see cref="LayerGraph"/> as the blocked kernels see it: its parameters (bias optional), its
/// input (one or more activation slots that sit next to each other in a tile, so their blocks form one concatenated
/// input), its output slot (the GEMM result: activated when the activation is ReLU or identity, else the
/// pre-activation, with the activated values in <see cref="Post"/>), and where its packed panels and gradient
/// partials live in the workspace buffers.
/// </summary>
internal sealed class DenseLayer
{
    public DenseLayer(ParameterTensor weight, ParameterTensor? bias, ActivationSlot[] inputs, ActivationSlot output, Activation activation, ActivationSlot? post = null)
    {
        if ((post != null) != (activation is Activation.Sigmoid or Activation.TruncExp))
        {
            throw new ArgumentException($"a {activation} layer {(post == null ? "needs" : "has no use for")} a separate activated-output slot", nameof(post));
        }

        Weight = weight;
        Bias = bias;
        Inputs = inputs;
        Output = output;
        Activation = activation;
        Post = post;
        InputSegments = inputs.Select(s => s.Features).ToArray();
        for (int i = 1; i < inputs.Length; i++)
        {
            if (inputs[i].BlockOffset != inputs[i - 1].BlockOffset + inputs[i - 1].Blocks)
            {
                throw new InvalidOperationException("concatenated inputs must be adjacent blocks");
            }
        }

        InputBlocks = inputs.Sum(s => s.Blocks);
        PaddedIn = InputBlocks * BlockedLayout.BlockWidth;
        PaddedOut = output.Blocks * BlockedLayout.BlockWidth;
        PackedLength = PaddedIn * PaddedOut;
    }

    public ParameterTensor Weight { get; }

    public ParameterTensor? Bias { get; }

    public ActivationSlot[] Inputs { get; }

    /// <summary>The GEMM's output slot.</summary>
    public ActivationSlot Output { get; }

    public Activation Activation { get; }

    /// <summary>Sigmoid / trunc_exp: the slot of the activated output (the layer's result as consumers see it); else null.</summary>
    public ActivationSlot? Post { get; }

    /// <summary>The slot consumers (later layers or the network output) read.</summary>
    public ActivationSlot Result => Post ?? Output;

    public bool Relu => Activation == Activation.Relu;

    public int[] InputSegments { get; }

    public int InputBlocks { get; }

    public int InputBlockOffset => Inputs[0].BlockOffset;

    public int PaddedIn { get; }

    public int PaddedOut { get; }

    /// <summary>Floats of one packed matrix, of one weight-gradient partial (PaddedOut x PaddedIn).</summary>
    public int PackedLength { get; }

    /// <summary>Offset of this layer's panels in the workspace's packed buffers, and of its partials in a part's gradient buffer.</summary>
    public int PackedOffset { get; set; }

    /// <summary>Offset of this layer's padded bias (PaddedOut floats) in the workspace's bias buffer and of its bias partial.</summary>
    public int BiasOffset { get; set; }

    /// <summary>
    /// For each input slot, in backward order: whether this layer is the first to write its gradient (else it adds)
    /// and whether it is the last (then it applies the ReLU mask of the slot's producer).
    /// </summary>
    public bool[] MasksInputGradient { get; set; } = [];

    public bool[] FirstInputGradient { get; set; } = [];
}
