namespace NerfSharp.Viewer;

/// <summary>
/// The live state of a training run as the viewer shows it: the trainer writes it after every step (no allocation),
/// viewer connections read a consistent copy of it.
/// </summary>
public sealed class TrainingStatus
{
    private readonly Lock gate = new();
    private long step;
    private long totalSteps;
    private double loss;
    private double psnr;
    private bool finished;

    /// <summary>Records a finished step (called on the training thread).</summary>
    public void Report(long step, long totalSteps, double loss, double psnr)
    {
        lock (gate)
        {
            this.step = step;
            this.totalSteps = totalSteps;
            this.loss = loss;
            this.psnr = psnr;
        }
    }

    /// <summary>Marks the run as ended (training stopped; the viewer keeps showing the last parameters).</summary>
    public void Finish()
    {
        lock (gate)
        {
            finished = true;
        }
    }

    /// <summary>A consistent copy of the latest values.</summary>
    public TrainingSnapshot Read()
    {
        lock (gate)
        {
            return new TrainingSnapshot(step, totalSteps, loss, psnr, !finished);
        }
    }
}
