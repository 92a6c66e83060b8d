namespace NerfSharp.Training;

/// <summary>Hyper-parameters of <see cref="Adam"/> (torch.optim.Adam's defaults; nerf-pytorch uses them unchanged).</summary>
public sealed record AdamConfig(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8);
