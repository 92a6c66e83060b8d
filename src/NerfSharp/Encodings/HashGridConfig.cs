namespace NerfSharp.Encodings;

/// <summary>
/// The multiresolution hash encoding's hyperparameters, defaults as instant-ngp's NeRF config (base.json) and
/// nerfstudio's nerfacto: L = 16 levels of F = 2 features, tables of at most 2^19 entries, grid resolutions from
/// 16 to 2048 growing by b = exp((ln MaxResolution - ln BaseResolution) / (L - 1)) per level.
/// </summary>
public sealed record HashGridConfig(int Levels = 16, int FeaturesPerLevel = 2, int Log2TableSize = 19, int BaseResolution = 16, int MaxResolution = 2048)
{
    /// <summary>Throws unless the values describe a valid encoding.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Levels);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Levels, 64);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FeaturesPerLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FeaturesPerLevel, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(Log2TableSize, 3);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Log2TableSize, 26);
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseResolution, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResolution, BaseResolution);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxResolution, 1 << 20);
    }
}
