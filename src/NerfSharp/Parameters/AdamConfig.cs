namespace NerfSharp.Parameters;

/// <summary>
/// Hyper-parameters of <see cref="Adam"/> for one parameter group (torch.optim.Adam's defaults; nerf-pytorch uses them
/// unchanged). <paramref name="WeightDecay"/> is torch.optim.Adam's L2 term: g + weight_decay * p before the update.
/// </summary>
public sealed record AdamConfig(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0);
