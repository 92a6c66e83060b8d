namespace NerfSharp.Cameras;

/// <summary>How a training camera's pose correction is parameterised (nerfstudio's camera optimizer modes).</summary>
public enum CameraOptimizerMode
{
    /// <summary>No pose refinement: rays are used as given.</summary>
    Off,

    /// <summary>Rotation vector through SO(3)'s exponential map, translation added as it is (nerfstudio's recommendation).</summary>
    SO3xR3,

    /// <summary>A twist through SE(3)'s exponential map: the translation is the rotation's left Jacobian times the translation part.</summary>
    SE3,
}

/// <summary>Parsing and printing of <see cref="CameraOptimizerMode"/> as the config key <c>camera_opt</c> spells it.</summary>
public static class CameraOptimizerModes
{
    /// <summary>The spellings <c>camera_opt</c> accepts: off, SO3xR3, SE3 (case-insensitive).</summary>
    public static CameraOptimizerMode Parse(string text) => text.ToUpperInvariant() switch
    {
        "OFF" => CameraOptimizerMode.Off,
        "SO3XR3" => CameraOptimizerMode.SO3xR3,
        "SE3" => CameraOptimizerMode.SE3,
        _ => throw new FormatException($"camera_opt must be off, SO3xR3 or SE3, not '{text}'"),
    };

    /// <summary>The canonical spelling (off, SO3xR3, SE3).</summary>
    public static string Name(CameraOptimizerMode mode) => mode switch
    {
        CameraOptimizerMode.Off => "off",
        CameraOptimizerMode.SO3xR3 => "SO3xR3",
        CameraOptimizerMode.SE3 => "SE3",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown camera optimizer mode"),
    };
}
