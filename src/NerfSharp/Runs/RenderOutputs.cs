namespace NerfSharp.Runs;

/// <summary>
/// The images a path render writes per frame: colour, depth colour-mapped between the scene's near and far, accumulated
/// opacity as grey, and disparity as grey (nerf-pytorch's disp map, scaled to its per-frame maximum).
/// </summary>
[Flags]
public enum RenderOutputs
{
    None = 0,
    Rgb = 1,
    Depth = 2,
    Accumulation = 4,
    Disparity = 8,

    /// <summary>What <c>nerf render</c> wrote before outputs could be chosen: rgb, disparity and accumulation.</summary>
    Default = Rgb | Disparity | Accumulation,
}

/// <summary>Parsing and naming of <see cref="RenderOutputs"/>.</summary>
public static class RenderOutputsExtensions
{
    /// <summary>Each single output with the suffix its files carry (NNN_rgb.png, video_depth.mp4, ...), in writing order.</summary>
    public static readonly IReadOnlyList<(RenderOutputs Output, string Suffix)> Suffixes =
    [
        (RenderOutputs.Rgb, "rgb"), (RenderOutputs.Depth, "depth"), (RenderOutputs.Accumulation, "acc"), (RenderOutputs.Disparity, "disp"),
    ];

    /// <summary>Parses a comma-separated list such as "rgb,depth,accumulation" (also "acc", "disp", "disparity").</summary>
    public static RenderOutputs Parse(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        RenderOutputs result = RenderOutputs.None;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result |= part.ToLowerInvariant() switch
            {
                "rgb" => RenderOutputs.Rgb,
                "depth" => RenderOutputs.Depth,
                "accumulation" or "acc" => RenderOutputs.Accumulation,
                "disparity" or "disp" => RenderOutputs.Disparity,
                _ => throw new ArgumentException($"unknown --outputs entry '{part}' (rgb, depth, accumulation, disparity)"),
            };
        }

        if (result == RenderOutputs.None)
        {
            throw new ArgumentException("--outputs names no output (rgb, depth, accumulation, disparity)");
        }

        return result;
    }
}
