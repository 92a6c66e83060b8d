namespace NerfSharp.Parameters;

/// <summary>
/// A learning-rate schedule: the factor the group's base learning rate is multiplied by before optimizer step
/// <c>step + 1</c>. <c>progress</c> is the fraction of the run done, in [0, 1]: steps done / total steps, or for
/// time-budgeted runs, seconds used / budget (so schedules stretch over whatever the budget allows).
/// </summary>
public interface ILearningRateSchedule
{
    double Factor(long step, double progress);
}

/// <summary>nerf-pytorch's decay: rate^(step / decaySteps), decaySteps = lrate_decay * 1000, rate 0.1.</summary>
public sealed record ExponentialDecaySchedule(double DecaySteps, double Rate = 0.1) : ILearningRateSchedule
{
    public double Factor(long step, double progress) =>
        DecaySteps > 0 ? Math.Pow(Rate, step / DecaySteps) : throw new InvalidOperationException("decay steps must be > 0");
}

/// <summary>A constant learning rate.</summary>
public sealed record ConstantSchedule : ILearningRateSchedule
{
    public double Factor(long step, double progress) => 1.0;
}

/// <summary>
/// nerfacc's instant-ngp schedule: linear warm-up from <paramref name="WarmupStart"/> to 1 over the first
/// <paramref name="WarmupSteps"/> steps, then multiplied by <paramref name="Gamma"/> at each milestone
/// (fractions of the run: 1/2, 3/4 and 9/10 by default).
/// </summary>
public sealed record WarmupMultiStepSchedule(int WarmupSteps = 100, double WarmupStart = 0.01, double Gamma = 0.33, double[]? Milestones = null)
    : ILearningRateSchedule
{
    private static readonly double[] DefaultMilestones = [0.5, 0.75, 0.9];

    public double Factor(long step, double progress)
    {
        double f = 1.0;
        if (step < WarmupSteps)
        {
            f = WarmupStart + ((1.0 - WarmupStart) * step / WarmupSteps);
        }

        foreach (double m in Milestones ?? DefaultMilestones)
        {
            if (progress >= m)
            {
                f *= Gamma;
            }
        }

        return f;
    }
}

/// <summary>
/// One optimizer parameter group as a model declares it: the tensors registered under <paramref name="Name"/> in the
/// parameter store, their Adam settings, base learning rate and schedule.
/// </summary>
public sealed record ParameterGroup(string Name, AdamConfig Adam, double LearningRate, ILearningRateSchedule Schedule);
