namespace NerfSharp.Parameters;

/// <summary>
/// nerfstudio's ExponentialDecayScheduler without warm-up: the factor falls log-linearly from 1 to
/// <paramref name="FinalFactor"/> over <paramref name="DecaySteps"/> steps and stays there.
/// </summary>
public sealed record ClampedExponentialDecaySchedule(double FinalFactor, double DecaySteps) : ILearningRateSchedule
{
    public double Factor(long step, double progress) =>
        DecaySteps > 0 ? Math.Pow(FinalFactor, Math.Min(step, DecaySteps) / DecaySteps) : throw new InvalidOperationException("decay steps must be > 0");
}
