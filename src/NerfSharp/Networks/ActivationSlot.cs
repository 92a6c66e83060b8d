using NerfSharp.Kernels;

namespace NerfSharp.Networks;

/// <summary>
/// A named activation of the network inside a tile: its width, the blocks it occupies in the tile's region
/// (saved for backward) and, in a thread's gradient scratch, the blocks its gradient occupies (the same offset for
/// hidden activations, extra blocks past the saved ones for the network's inputs and outputs), and whether its
/// producer applied a ReLU (its gradient is then masked by it).
/// </summary>
internal sealed class ActivationSlot(string name, int features, int blockOffset, bool producedByRelu, bool isInput)
{
    public string Name { get; } = name;

    public int Features { get; } = features;

    public int Blocks { get; } = BlockedLayout.BlockCount(features);

    public int BlockOffset { get; } = blockOffset;

    public bool ProducedByRelu { get; } = producedByRelu;

    /// <summary>A network input: its gradient is computed only when the caller asks for input gradients.</summary>
    public bool IsInput { get; } = isInput;

    /// <summary>Block offset of its gradient inside a thread's gradient scratch.</summary>
    public int GradientBlockOffset { get; set; } = blockOffset;
}
