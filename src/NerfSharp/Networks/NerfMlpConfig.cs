namespace NerfSharp.Networks;

/// <summary>
/// Shape of nerf-pytorch's NeRF MLP: <paramref name="Depth"/> trunk layers of <paramref name="Width"/> units with ReLU,
/// the encoded points concatenated back in after trunk layer <paramref name="Skip"/> (negative: no skip), and either the
/// view-dependent head (alpha, feature, views, rgb) or a single 4-unit output layer. Defaults are nerf-pytorch's lego config.
/// </summary>
public sealed record NerfMlpConfig(int Depth = 8, int Width = 256, int PointChannels = 63, int ViewChannels = 27, int Skip = 4, bool UseViewDirs = true);
