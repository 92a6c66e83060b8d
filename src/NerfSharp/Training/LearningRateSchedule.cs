namespace NerfSharp.Training;

/// <summary>Learning-rate schedules as functions of the step.</summary>
public static class LearningRateSchedule
{
    /// <summary>
    /// nerf-pytorch's decay: initial * rate^(step / decaySteps), with decaySteps = lrate_decay * 1000 and rate 0.1.
    /// (nerf-pytorch sets this value after optimizer step number `step`, so it is used by the following step.)
    /// </summary>
    public static double ExponentialDecay(double initial, long step, double decaySteps, double rate = 0.1)
    {
        if (!(decaySteps > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "decay steps must be > 0");
        }

        return initial * Math.Pow(rate, step / decaySteps);
    }
}
