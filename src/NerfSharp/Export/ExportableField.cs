using NerfSharp.Fields;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Sampling;

namespace NerfSharp.Export;

/// <summary>
/// What mesh export needs of a trained model: density queries (one per worker, each with its own buffers), the box the
/// model covers, a default surface threshold on its density scale, and density-and-colour queries where the field has
/// them (null: vertex colours are rendered through the model).
/// <list type="bullet">
/// <item>ngp: the field's density (exp(raw - 1), per world unit), zero in the cells its occupancy grid marks empty, as
/// rendering sees it. Default threshold <see cref="NgpDefaultThreshold"/>.</item>
/// <item>nerfacto: the main field's density per world unit with the nearest training camera's embedding for colour;
/// the scene box, or for a contracted capture the world box of model space [-1, 1]^3 (where the cameras are). Default
/// threshold ngp's per model unit (<see cref="NgpDefaultThreshold"/> times the scene scale per world unit).</item>
/// <item>vanilla: the fine network's relu density (the coarse one without a fine network); the box is
/// [-1.5, 1.5]^3 (nerf_synthetic's). Default threshold <see cref="VanillaDefaultThreshold"/> (nerf-pytorch's mesh notebook).</item>
/// </list>
/// </summary>
public sealed record ExportableField(Func<int, IDensityField> CreateQuery, SceneBox Bounds, float DefaultThreshold, Func<int, IRadianceField>? CreateRadianceQuery)
{
    /// <summary>
    /// Density 10 per world unit: a layer 0.07 units thick (about 2% of nerf_synthetic's box) is half opaque. instant-ngp's
    /// 2.5 keeps more of the haze a short training leaves in the air; torch-ngp also uses 10.
    /// </summary>
    public const float NgpDefaultThreshold = 10f;

    public const float VanillaDefaultThreshold = 50f;

    public static ExportableField Of(IRadianceModel model) => model switch
    {
        NgpModel ngp => new ExportableField(
            capacity => new OccupancyMaskedDensity(ngp.Field.CreateDensityQuery(capacity), ngp.Grid, capacity),
            ngp.Field.Box,
            NgpDefaultThreshold,
            ngp.Field.CreateRadianceQuery),
        NerfactoModel nerfacto => new ExportableField(
            nerfacto.CreateRadianceQuery,
            nerfacto.ExportBox,
            NgpDefaultThreshold * nerfacto.SceneScale,
            nerfacto.CreateRadianceQuery),
        VanillaNerf vanilla => new ExportableField(
            capacity => new VanillaNerfDensity(vanilla.Fine ?? vanilla.Coarse, capacity),
            SceneBox.Cube((float)ModelFactory.DefaultSceneBoxHalfSize),
            VanillaDefaultThreshold,
            null),
        _ => throw new ArgumentException($"mesh export does not know the model type {model.GetType().Name}"),
    };
}
