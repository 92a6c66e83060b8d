namespace NerfSharp.Configuration;

/// <summary>
/// Camera pose refinement of a run (nerfstudio's CameraOptimizerConfig and nerfacto's "camera_opt" parameter group):
/// one 6-vector correction per training camera, Adam (lr 1e-3, eps 1e-15) decaying exponentially to lr 1e-4 over 5000
/// steps, with nerfstudio's penalties on the mean translation and rotation norms.
/// </summary>
public sealed record CameraOptimizerConfig
{
    /// <summary>"off", "SO3xR3" or "SE3" (key camera_opt); off for the ngp and vanilla presets.</summary>
    public string Mode { get; init; } = "off";

    /// <summary>Base learning rate of the correction parameters (key camera_opt_lr).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning rate reached after <see cref="DecaySteps"/> steps (kept from then on).</summary>
    public double FinalLearningRate { get; init; } = 1e-4;

    public int DecaySteps { get; init; } = 5000;

    /// <summary>Weight of the mean over cameras of |translation part| in the loss (nerfstudio's trans_l2_penalty).</summary>
    public double TranslationPenalty { get; init; } = 1e-2;

    /// <summary>Weight of the mean over cameras of |rotation vector| in the loss (nerfstudio's rot_l2_penalty).</summary>
    public double RotationPenalty { get; init; } = 1e-3;

    /// <summary>Training cameras with a correction: set by train from the dataset (and saved in config.json) when the mode is not off.</summary>
    public int Cameras { get; init; }
}
