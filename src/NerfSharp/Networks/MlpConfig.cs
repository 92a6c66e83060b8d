namespace NerfSharp.Networks;

/// <summary>One dense layer of an <see cref="Mlp"/>: its output width and the activation applied to its output.</summary>
public sealed record MlpLayer(int Outputs, Activation Activation);

/// <summary>
/// Shape of a plain fully connected network: <paramref name="InputWidth"/> features in, then each of
/// <paramref name="Layers"/> in order (the last layer's width is the network's output width); with
/// <paramref name="Bias"/> every layer has a bias vector (tiny-cuda-nn's fully fused MLP has none).
/// </summary>
public sealed record MlpConfig(int InputWidth, IReadOnlyList<MlpLayer> Layers, bool Bias = false);
