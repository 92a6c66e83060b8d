using NerfSharp.Cameras;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Models;

/// <summary>
/// A trainable radiance-field model (fields + samplers + losses) behind the shared trainer, checkpoint,
/// evaluation, render and CLI code. It owns a whole training step's compute (<see cref="AccumulateGradients"/>),
/// so a GPU backend can keep everything on its device; the host sees parameters only for the optimizer step,
/// checkpoints and metrics.
/// </summary>
public interface IRadianceModel
{
    /// <summary>Every trainable value of the model, in one flat buffer.</summary>
    ParameterStore Parameters { get; }

    /// <summary>The optimizer groups of <see cref="Parameters"/> (every tensor's group is listed), each with its Adam settings and schedule.</summary>
    IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>Non-trainable state that checkpoints save and resume restores (an occupancy grid); empty for none.</summary>
    IReadOnlyList<StateTensor> State { get; }

    /// <summary>
    /// The model's camera pose refinement (its corrections live in <see cref="Parameters"/>), or null when it has none.
    /// The trainer then corrects each batch's rays, asks the model for ray gradients and backpropagates them into the corrections.
    /// </summary>
    CameraOptimizer? CameraOptimizer => null;

    /// <summary>Statistics of the last <see cref="AccumulateGradients"/> call (rays and samples), for metrics.</summary>
    StepStatistics LastStep { get; }

    /// <summary>Initialises all parameters (and state) from <paramref name="rng"/>.</summary>
    void Initialize(Rng rng);

    /// <summary>Called after <see cref="State"/> was overwritten from a checkpoint, to rebuild derived data.</summary>
    void OnStateRestored();

    /// <summary>
    /// Per-step hook before the step's rays are rendered (occupancy-grid updates, annealing). <paramref name="step"/> is
    /// the number of optimizer steps already taken; <paramref name="rng"/> is the trainer's (checkpointed) generator.
    /// </summary>
    void BeforeStep(long step, Rng rng);

    /// <summary>
    /// Renders <paramref name="rays"/> in training mode, computes the loss against <paramref name="targetRgb"/>
    /// ([3r..3r+2] per ray, already composited over the ray's background) and ACCUMULATES its gradient into
    /// <see cref="ParameterStore.Gradients"/>. <paramref name="lossScaleRays"/> is the ray count the mean is taken over
    /// (the whole batch, when a batch is fed in chunks).
    /// </summary>
    TrainLoss AccumulateGradients(RayBatch rays, ReadOnlySpan<float> targetRgb, int lossScaleRays, Rng rng);

    /// <summary>Buffers for rendering up to <paramref name="maxRays"/> rays per call, separate from training's, so a render can run while training goes on.</summary>
    RenderContext CreateRenderContext(int maxRays);

    /// <summary>Renders rays deterministically (no jitter, no noise) into <paramref name="output"/> from index 0.</summary>
    void Render(RayBatch rays, RenderedRays output, RenderContext context);
}

/// <summary>A model's buffers for rendering; one per concurrent renderer.</summary>
public abstract class RenderContext
{
    protected RenderContext(int maxRays)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRays);
        MaxRays = maxRays;
    }

    public int MaxRays { get; }
}

/// <summary>A named non-trainable buffer of a model (checkpoints save it as <c>state.NAME</c>).</summary>
public sealed record StateTensor(string Name, int[] Shape, float[] Values);

/// <summary>Rays and samples of one training step (samples are what the fields evaluated, after any sample pruning).</summary>
public readonly record struct StepStatistics(int Rays, long Samples)
{
    public double SamplesPerRay => Rays > 0 ? (double)Samples / Rays : 0;
}
