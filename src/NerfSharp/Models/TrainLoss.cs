namespace NerfSharp.Models;

/// <summary>
/// The losses of one training batch. <see cref="Loss"/> is what was differentiated
/// (nerf-pytorch: MSE of the fine render plus MSE of the coarse render; instant-ngp: the Huber or MSE photometric loss).
/// <see cref="MseCoarse"/> is NaN for models without a coarse pass.
/// </summary>
public readonly record struct TrainLoss(double Loss, double Mse, double MseCoarse = double.NaN)
{
    /// <summary>PSNR of the main (fine) render, as nerf-pytorch logs it: -10 log10(mse).</summary>
    public double Psnr => -10.0 * Math.Log10(Mse);

    public bool HasCoarse => !double.IsNaN(MseCoarse);

    public bool IsFinite => double.IsFinite(Loss) && double.IsFinite(Mse) && (!HasCoarse || double.IsFinite(MseCoarse));
}
