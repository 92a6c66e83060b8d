namespace NerfSharp.Sampling;

/// <summary>
/// Settings of an <see cref="OccupancyGrid"/>, defaults from nerfacc's <c>OccGridEstimator.update_every_n_steps</c>
/// and instant-ngp (a 128^3 grid updated every 16 steps, EMA decay 0.95, threshold 0.01, 256 warm-up steps).
/// </summary>
public sealed record OccupancyGridConfig
{
    /// <summary>Cells per axis.</summary>
    public int Resolution { get; init; } = 128;

    /// <summary>The grid is updated on training steps that are multiples of this.</summary>
    public int UpdateEvery { get; init; } = 16;

    /// <summary>Per-update decay of a re-evaluated cell's value: new = max(old * decay, fresh value).</summary>
    public float EmaDecay { get; init; } = 0.95f;

    /// <summary>
    /// Upper bound on the binarisation threshold, in optical thickness of one marching step (density * step size,
    /// see <see cref="OccupancyGrid.Values"/>); the threshold used is min(mean of the grid, this).
    /// </summary>
    public float OccupancyThreshold { get; init; } = 0.01f;

    /// <summary>Updates on steps below this evaluate every cell; later ones a random subset.</summary>
    public int WarmupSteps { get; init; } = 256;

    /// <summary>
    /// Marching step (world units) whose optical thickness the grid stores; null: <see cref="RayMarcher.DefaultStepSize"/>
    /// of the grid's box. March with the same step (<see cref="OccupancyGrid.StepSize"/>) so the threshold means what it says.
    /// </summary>
    public float? StepSize { get; init; }

    /// <summary>Most density queries per call to the field (the size of the grid's query buffers).</summary>
    public int QueryBatch { get; init; } = 65536;

    /// <summary>Throws unless every setting is usable.</summary>
    public void Validate()
    {
        if (Resolution < 1 || Resolution > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(Resolution), Resolution, "must be in 1..1024");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(UpdateEvery);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(QueryBatch);
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps);
        if (!(EmaDecay >= 0 && EmaDecay <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(EmaDecay), EmaDecay, "must be in [0, 1]");
        }

        if (!(OccupancyThreshold >= 0) || !float.IsFinite(OccupancyThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(OccupancyThreshold), OccupancyThreshold, "must be finite and >= 0");
        }

        if (StepSize is float s && !(s > 0 && float.IsFinite(s)))
        {
            throw new ArgumentOutOfRangeException(nameof(StepSize), s, "must be finite and > 0");
        }
    }
}
