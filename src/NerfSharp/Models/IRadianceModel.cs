using NerfSharp.Parameters;
using NerfSharp.Numerics;

namespace NerfSharp.Models;

/// <summary>
/// A trainable radiance-field model (fields + samplers + losses) behind the shared trainer,
/// checkpoint, evaluation, render and CLI code.
/// </summary>
public interface IRadianceModel
{
    /// <summary>Every trainable value of the model, in one flat buffer.</summary>
    ParameterStore Parameters { get; }

    /// <summary>Initialises all parameters from <paramref name="rng"/>.</summary>
    void Initialize(Rng rng);

    /// <summary>
    /// Renders <paramref name="rays"/> in training mode, computes the loss against <paramref name="targetRgb"/>
    /// ([3r..3r+2] per ray) and ACCUMULATES its gradient into <see cref="ParameterStore.Gradients"/>.
    /// <paramref name="lossScaleRays"/> is the ray count the mean is taken over (the whole batch, when a batch is fed in chunks).
    /// </summary>
    TrainLoss AccumulateGradients(RayBatch rays, ReadOnlySpan<float> targetRgb, int lossScaleRays, Rng rng);

    /// <summary>Renders rays deterministically (no jitter, no noise) into <paramref name="output"/> from index 0.</summary>
    void Render(RayBatch rays, RenderedRays output);
}
