namespace NerfSharp.Configuration;

/// <summary>
/// nerfstudio's nerfacto (proposal sampling, scene contraction, appearance embeddings), defaults from nerfstudio's
/// <c>NerfactoModelConfig</c> unless stated. The main field's hash grid takes the ngp keys (hash_levels, log2_hashmap_size,
/// base_resolution, hash_features, max_resolution: 0 = 2048) and scene_box is the bounded scene's box.
/// </summary>
public sealed record NerfactoConfig
{
    /// <summary>Samples per ray of the first proposal stage (the piecewise sampler's); 0: see <see cref="WithSampleCounts"/>.</summary>
    public int ProposalSamples1 { get; init; }

    /// <summary>Samples per ray of the second proposal stage (PDF resampled from the first); 0: see <see cref="WithSampleCounts"/>.</summary>
    public int ProposalSamples2 { get; init; }

    /// <summary>Samples per ray of the main field (PDF resampled from the second proposal stage); 0: see <see cref="WithSampleCounts"/>.</summary>
    public int NerfSamples { get; init; }

    /// <summary>
    /// The sample counts that are 0 resolved: nerfstudio's 256 / 96 / 48 for unbounded scenes; 128 / 64 / 32 inside a
    /// scene box, whose rays span only the box (changed for the CPU: on lego_400 at a 2-minute budget, 26.53 dB against
    /// 25.35 with nerfstudio's counts, from 42% more steps; 128 / 48 / 24 gave 26.42); 96 / 48 / 24 with the occupancy
    /// grid, which clips rays to their occupied stretch (lego_400, 2 minutes, 2048 rays: 28.50 dB; 128 / 64 / 32 28.46,
    /// 64 / 32 / 16 28.37).
    /// </summary>
    public NerfactoConfig WithSampleCounts(bool bounded)
    {
        bool grid = HasOccupancyGrid(bounded);
        return this with
        {
            ProposalSamples1 = ProposalSamples1 > 0 ? ProposalSamples1 : grid ? 96 : bounded ? 128 : 256,
            ProposalSamples2 = ProposalSamples2 > 0 ? ProposalSamples2 : grid ? 48 : bounded ? 64 : 96,
            NerfSamples = NerfSamples > 0 ? NerfSamples : grid ? 24 : bounded ? 32 : 48,
        };
    }

    /// <summary>Hash-grid levels of both proposal fields.</summary>
    public int ProposalHashLevels { get; init; } = 5;

    public int ProposalLog2HashmapSize { get; init; } = 17;

    /// <summary>Finest hash-grid resolution of the first and second proposal field.</summary>
    public int ProposalMaxResolution1 { get; init; } = 128;

    public int ProposalMaxResolution2 { get; init; } = 256;

    /// <summary>Width of the proposal fields' density MLP.</summary>
    public int ProposalHiddenWidth { get; init; } = 16;

    /// <summary>Width of the main field's MLPs.</summary>
    public int HiddenWidth { get; init; } = 64;

    /// <summary>Width of the per-image appearance embedding (0 = none).</summary>
    public int AppearanceWidth { get; init; } = 32;

    /// <summary>
    /// Embedding of a ray from no training image (eval, render): the "nearest" training camera's, or the "mean" of the
    /// training images' (nerfstudio's default). Changed to nearest: the embeddings start as N(0, 1) codes, one per image,
    /// and their mean is a code the colour network never saw (held-out PSNR after 10 minutes: fox 28.23 dB with the mean,
    /// 31.36 with the nearest camera's; beer 20.90 against 30.83).
    /// </summary>
    public string AppearanceEval { get; init; } = "nearest";

    /// <summary>What rays see where the volume is transparent: "last_sample" (the last sample's colour, nerfstudio), "random" (the batch's background: random per ray for RGBA training images, the data's colour otherwise) or "fixed" (<see cref="BackgroundColor"/>).</summary>
    public string Background { get; init; } = "last_sample";

    /// <summary>The colour of the "fixed" background, "r,g,b" in [0, 1].</summary>
    public string BackgroundColor { get; init; } = "1,1,1";

    /// <summary>Norm of the scene contraction: "linf" (nerfacto) or "l2" (mip-NeRF 360).</summary>
    public string Contraction { get; init; } = "linf";

    /// <summary>"unbounded" (contracted space), "bounded" (the scene box, no contraction) or "auto": bounded for Blender data, unbounded otherwise.</summary>
    public string SceneKind { get; init; } = "auto";

    /// <summary>Near plane of unbounded scenes when rays do not take the data's bounds, in model units (after the scene normalisation, as nerfstudio's).</summary>
    public double NearPlane { get; init; } = 0.05;

    /// <summary>Far plane of unbounded scenes when rays do not take the data's bounds, in model units.</summary>
    public double FarPlane { get; init; } = 1000;

    /// <summary>Ray bounds: "data" (per-image near/far from the parser), "planes" (<see cref="NearPlane"/>/<see cref="FarPlane"/>), "auto": data when the parser gives per-image bounds or the scene is bounded.</summary>
    public string RayBounds { get; init; } = "auto";

    /// <summary>Multiplier of the interlevel (proposal) loss.</summary>
    public double InterlevelWeight { get; init; } = 1.0;

    /// <summary>Multiplier of the distortion loss.</summary>
    public double DistortionWeight { get; init; } = 0.002;

    /// <summary>Steps over which the proposal weights' annealing exponent goes from 0 to 1.</summary>
    public int AnnealSteps { get; init; } = 1000;

    /// <summary>Slope of the annealing curve: (b x) / ((b - 1) x + 1).</summary>
    public double AnnealSlope { get; init; } = 10;

    /// <summary>
    /// Learning rate the exponential decay reaches at the end of the run. nerfstudio decays from 1e-2 towards 1e-4 at step
    /// 200,000 but trains 30,000 steps, ending near 5e-3; here the decay spans the run (steps or time budget), so 5e-3 keeps
    /// nerfstudio's curve (decaying to 1e-4 within a short CPU run measured worse: 14.4 against 16.5 dB at constant lr on the demo scene).
    /// Changed to 2e-3 once the occupancy grid made steps cheap: lego_400, 2-minute runs with 2048 rays, val PSNR 5e-3
    /// 28.88 dB, 2e-3 29.31, 1e-3 29.01, 3e-4 28.63.
    /// </summary>
    public double LearningRateFinal { get; init; } = 2e-3;

    /// <summary>
    /// How an unbounded scene's world is placed in the contraction's unit region: "cameras" (nerfstudio's auto scale: the
    /// training cameras' mean centre at the origin, their largest coordinate offset from it at 1), "none" (the data's world
    /// as it is) or "auto" (cameras, except for LLFF data, whose bd_factor rescale already puts the near bound near 1).
    /// </summary>
    public string SceneNormalization { get; init; } = "auto";

    /// <summary>Centre of the normalisation (world units); resolved by train from the training cameras.</summary>
    public double SceneCenterX { get; init; }

    public double SceneCenterY { get; init; }

    public double SceneCenterZ { get; init; }

    /// <summary>Scale of the normalisation: model units per world unit (0 or 1: none); resolved by train.</summary>
    public double SceneScale { get; init; }

    /// <summary>
    /// Empty-space skipping in a scene box: "on" keeps an occupancy grid of the main field's density (instant-ngp's,
    /// updated every 16 steps) and samples each ray only between its first and last occupied cell, rays that cross no
    /// occupied cell costing nothing; "off" is nerfstudio's nerfacto; "auto": on for bounded scenes (train resolves it,
    /// see <see cref="ResolveOccupancyGrid"/>). Not for unbounded scenes (the grid covers a box).
    /// </summary>
    public string OccupancyGrid { get; init; } = "auto";

    /// <summary>Cells per axis of that grid.</summary>
    public int OccupancyGridResolution { get; init; } = 64;

    /// <summary>What train saves for <see cref="OccupancyGrid"/>: "on" for a bounded scene unless "off" was asked for, else "off".</summary>
    public string ResolveOccupancyGrid(bool bounded) => bounded && OccupancyGrid != "off" ? "on" : "off";

    /// <summary>
    /// Whether a model keeps the grid: only when resolved "on" (and bounded). An unresolved "auto" is a run saved before
    /// this option existed: it trained without a grid, and its checkpoint holds none.
    /// </summary>
    public bool HasOccupancyGrid(bool bounded) => bounded && OccupancyGrid == "on";

    /// <summary>Training images (rows of the appearance embedding); set by train from the data.</summary>
    public int TrainImages { get; init; } = 1;

    /// <summary>Whether the scene is bounded, with <see cref="SceneKind"/> resolved against the data format.</summary>
    public bool IsBounded(string format) => SceneKind == "bounded" || (SceneKind == "auto" && format == "blender");
}
