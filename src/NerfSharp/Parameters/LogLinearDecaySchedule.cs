namespace NerfSharp.Parameters;

/// <summary>
/// nerfstudio's <c>ExponentialDecayScheduler</c> without warm-up, over the run's progress: the learning rate moves
/// log-linearly from the base rate to base * <paramref name="FinalFactor"/>, factor = FinalFactor^progress.
/// </summary>
public sealed record LogLinearDecaySchedule(double FinalFactor) : ILearningRateSchedule
{
    public double Factor(long step, double progress) =>
        FinalFactor > 0 ? Math.Pow(FinalFactor, Math.Clamp(progress, 0, 1)) : throw new InvalidOperationException("the final factor must be > 0");
}
