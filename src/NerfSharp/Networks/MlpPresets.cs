namespace NerfSharp.Networks;

/// <summary>The small networks of Instant-NGP's NeRF (tiny-cuda-nn FullyFusedMLP, width 64, no bias).</summary>
public static class MlpPresets
{
    /// <summary>
    /// Density network: hash-grid features (16 levels x 2 = 32) -> 64 ReLU -> 16 raw outputs. The caller applies
    /// trunc_exp to output 0 (density); outputs 1..15 are the geometry features passed to the color network.
    /// </summary>
    public static MlpConfig NgpDensity(int inputWidth = 32) =>
        new(inputWidth, [new MlpLayer(64, Activation.Relu), new MlpLayer(16, Activation.None)]);

    /// <summary>
    /// Color network: spherical-harmonics direction encoding (16) + geometry features (15) = 31 -> 64 ReLU -> 64 ReLU
    /// -> 3 sigmoid (RGB in [0, 1]).
    /// </summary>
    public static MlpConfig NgpColor(int inputWidth = 31) =>
        new(inputWidth, [new MlpLayer(64, Activation.Relu), new MlpLayer(64, Activation.Relu), new MlpLayer(3, Activation.Sigmoid)]);
}
