using NerfSharp.Sampling;

namespace NerfSharp.Models;

/// <summary>
/// One stage of nerfacto's sampling for a pass over up to MaxRays rays: the packed samples (ray r owns [r n, (r + 1) n)),
/// their normalised-spacing bounds, and the field's values, weights and gradients at them. Buffers are sized once.
/// The main field's stage also holds view directions, each sample's image and colours.
/// </summary>
internal sealed class NerfactoSampleLevel
{
    public NerfactoSampleLevel(int maxRays, int perRay, bool colour)
    {
        int s = maxRays * perRay;
        PerRay = perRay;
        Samples = new RaySamples(maxRays, s);
        SpacingStart = new float[s];
        SpacingEnd = new float[s];
        Positions = new float[3 * s];
        Density = new float[s];
        Weights = new float[s];
        InterlevelTarget = colour ? new float[s] : [];
        DLdWeights = new float[s];
        DLdDensity = new float[s];
        DLdPositions = new float[3 * s];
        Directions = colour ? new float[3 * s] : [];
        SampleImage = colour ? new int[s] : [];
        Color = colour ? new float[3 * s] : [];
        DLdColor = colour ? new float[3 * s] : [];
        DLdDirections = colour ? new float[3 * s] : [];
    }

    public int PerRay { get; }

    public RaySamples Samples { get; }

    public float[] SpacingStart { get; }

    public float[] SpacingEnd { get; }

    /// <summary>World positions of the samples' midpoints, feature-major [3][samples].</summary>
    public float[] Positions { get; }

    public float[] Density { get; }

    public float[] Weights { get; }

    /// <summary>
    /// Main field only: the weights the interlevel loss holds the proposals to (a copy of <see cref="Weights"/> taken when the
    /// samples were drawn; they carry no gradient).
    /// </summary>
    public float[] InterlevelTarget { get; }

    public float[] DLdWeights { get; }

    public float[] DLdDensity { get; }

    public float[] DLdPositions { get; }

    /// <summary>Unit view directions [3][samples] (main field only).</summary>
    public float[] Directions { get; }

    public int[] SampleImage { get; }

    public float[] Color { get; }

    public float[] DLdColor { get; }

    public float[] DLdDirections { get; }
}
