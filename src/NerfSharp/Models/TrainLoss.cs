namespace NerfSharp.Models;

/// <summary>
/// The losses of one training batch. <see cref="Loss"/> is what was differentiated
/// (nerf-pytorch: MSE of the fine render plus MSE of the coarse render).
/// </summary>
public readonly record struct TrainLoss(double Loss, double Mse, double MseCoarse)
{
    /// <summary>PSNR of the main (fine) render, as nerf-pytorch logs it: -10 log10(mse).</summary>
    public double Psnr => -10.0 * Math.Log10(Mse);

    public bool IsFinite => double.IsFinite(Loss) && double.IsFinite(Mse) && double.IsFinite(MseCoarse);
}
