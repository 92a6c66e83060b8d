namespace NerfSharp.Models;

/// <summary>Cumulative seconds per phase of <see cref="NgpModel"/>'s training steps.</summary>
public sealed class NgpPhaseTimes
{
    public long Steps { get; set; }

    public long Samples { get; set; }

    public double GridUpdate { get; set; }

    /// <summary>Samples the marcher produced, before training-time visibility pruning.</summary>
    public long MarchedSamples { get; set; }

    /// <summary>Seconds of the visibility pass (included in <see cref="March"/>).</summary>
    public double Prune { get; set; }

    public double March { get; set; }

    public double FieldForward { get; set; }

    public double Composite { get; set; }

    public double Backward { get; set; }

    public double CompositeBackward { get; set; }

    public double ColorBackward { get; set; }

    public double DensityBackward { get; set; }

    public double EncodingBackward { get; set; }

    public override string ToString() =>
        $"steps {Steps}, samples {Samples} of {MarchedSamples} marched: grid {GridUpdate:F2}s march {March:F2}s (visibility pass {Prune:F2}s) field-fwd {FieldForward:F2}s composite {Composite:F2}s " +
        $"backward {Backward:F2}s (composite {CompositeBackward:F2} color {ColorBackward:F2} density {DensityBackward:F2} encoding {EncodingBackward:F2})";
}
