namespace NerfSharp.Models;

/// <summary>Cumulative seconds per phase of <see cref="NerfactoModel"/>'s training steps (the optimizer's step is the trainer's).</summary>
public sealed class NerfactoPhaseTimes
{
    public long Steps { get; set; }

    /// <summary>Samples of the three stages together.</summary>
    public long Samples { get; set; }

    /// <summary>Ray setup, the piecewise sampler, both PDF resamplings and the sample positions.</summary>
    public double Sampling { get; set; }

    public double ProposalForward { get; set; }

    public double FieldForward { get; set; }

    /// <summary>Weights of all stages and compositing.</summary>
    public double Composite { get; set; }

    /// <summary>Losses' gradients down to every stage's densities and colours (RGB, interlevel, distortion).</summary>
    public double LossBackward { get; set; }

    public double FieldBackward { get; set; }

    public double ProposalBackward { get; set; }

    public double RayGradients { get; set; }

    /// <summary>Occupancy-grid updates (bounded scenes with the grid on).</summary>
    public double GridUpdate { get; set; }

    /// <summary>Rays the passes saw, and those of them that crossed an occupied cell (all of them without a grid).</summary>
    public long Rays { get; set; }

    public long ActiveRays { get; set; }

    public double Total => GridUpdate + Sampling + ProposalForward + FieldForward + Composite + LossBackward + FieldBackward + ProposalBackward + RayGradients;

    public override string ToString() =>
        $"steps {Steps}, {Samples / (double)Math.Max(1, Steps):F0} samples/step: sampling {Sampling:F2}s proposal-fwd {ProposalForward:F2}s field-fwd {FieldForward:F2}s " +
        $"weights+composite {Composite:F2}s loss-bwd {LossBackward:F2}s field-bwd {FieldBackward:F2}s proposal-bwd {ProposalBackward:F2}s ray-grads {RayGradients:F2}s grid {GridUpdate:F2}s, active rays {ActiveRays / (double)Math.Max(1, Rays):P0}";
}
