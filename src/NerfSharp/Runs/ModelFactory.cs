using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Encodings;
using NerfSharp.Models;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

namespace NerfSharp.Runs;

/// <summary>Method presets in one place: creates the model a run config names.</summary>
public static class ModelFactory
{
    /// <summary>The scene box of the ngp model when the config gives none: [-1.5, 1.5]^3 (nerf_synthetic, instant-ngp and nerfacc).</summary>
    public const double DefaultSceneBoxHalfSize = 1.5;

    public static readonly IReadOnlyList<string> Models = ["ngp", "vanilla", "nerfacto"];

    public static IRadianceModel Create(RunConfig config, BackgroundColor background)
    {
        var bg = background == BackgroundColor.White ? (1f, 1f, 1f) : (0f, 0f, 0f);
        CameraOptimizer? cameraOptimizer = CameraOptimizer.Create(config.CameraOptimizer);
        if (cameraOptimizer != null && config.Model == "vanilla")
        {
            throw new ArgumentException($"camera_opt {config.CameraOptimizer.Mode} needs a model with ray gradients (ngp, nerfacto); the vanilla model has none");
        }

        return config.Model switch
        {
            "vanilla" => new VanillaNerf(
                config.Vanilla,
                bg,
                new ParameterGroup("default", new AdamConfig(), config.Trainer.LearningRate, new ExponentialDecaySchedule(config.Trainer.LearningRateDecay * 1000)),
                MemoryBudget.VanillaPointsPerChunk(config)),
            "ngp" => new NgpModel(
                config.Ngp,
                SceneBox.Cube((float)(config.Ngp.SceneBoxHalfSize > 0 ? config.Ngp.SceneBoxHalfSize : DefaultSceneBoxHalfSize)),
                config.Trainer.LearningRate,
                Math.Max(config.Trainer.BatchRays, config.Trainer.TargetSamplesPerStep > 0 ? config.Trainer.MaxBatchRays : 0),
                Math.Max(1 << 18, config.Trainer.TargetSamplesPerStep + (config.Trainer.TargetSamplesPerStep / 2)),
                cameraOptimizer),
            "nerfacto" => CreateNerfacto(config, cameraOptimizer),
            _ => throw new ArgumentException($"unknown model '{config.Model}' (available: {string.Join(", ", Models)})"),
        };
    }

    /// <summary>
    /// What a model takes from the training data, resolved into the config before <see cref="Create"/> (and saved with the
    /// run): the number of training cameras pose refinement corrects; for nerfacto the number of training images, whether
    /// the scene is bounded (Blender data) or contracted, and whether rays take the data's per-image bounds.
    /// </summary>
    public static RunConfig ResolveForData(RunConfig config, DataParserOutput train)
    {
        if (config.CameraOptimizer.Mode != "off")
        {
            // One pose correction per training camera.
            config = config with { CameraOptimizer = config.CameraOptimizer with { Cameras = train.Count } };
        }

        if (config.Model != "nerfacto")
        {
            return config;
        }

        NerfactoConfig n = config.Nerfacto;
        bool bounded = n.IsBounded(train.Format);
        string bounds = n.RayBounds != "auto" ? n.RayBounds : bounded || train.ViewBounds != null ? "data" : "planes";
        if (n.OccupancyGrid == "on" && !bounded)
        {
            throw new ArgumentException("occupancy_grid on needs a bounded scene (an occupancy grid covers a scene box; set scene_kind bounded or occupancy_grid off)");
        }

        RunConfig resolved = config with
        {
            Nerfacto = (n with { OccupancyGrid = n.ResolveOccupancyGrid(bounded) }).WithSampleCounts(bounded) with
            {
                TrainImages = train.Count,
                SceneKind = bounded ? "bounded" : "unbounded",
                RayBounds = bounds,
            },
        };
        string normalization = n.SceneNormalization != "auto" ? n.SceneNormalization : train.Format == "llff" ? "none" : "cameras";
        if (!bounded && normalization == "cameras" && n.SceneScale <= 0)
        {
            var (cx, cy, cz, scale) = CameraNormalization(train);
            resolved = resolved with { Nerfacto = resolved.Nerfacto with { SceneNormalization = normalization, SceneCenterX = cx, SceneCenterY = cy, SceneCenterZ = cz, SceneScale = scale } };
        }
        else if (bounded || normalization == "none")
        {
            resolved = resolved with { Nerfacto = resolved.Nerfacto with { SceneNormalization = "none", SceneCenterX = 0, SceneCenterY = 0, SceneCenterZ = 0, SceneScale = 1 } };
        }

        if (bounded && config.Ngp.SceneBoxHalfSize <= 0)
        {
            double half = train.SceneBox is { } b ? new[] { b.MinX, b.MinY, b.MinZ, b.MaxX, b.MaxY, b.MaxZ }.Max(Math.Abs) : DefaultSceneBoxHalfSize;
            resolved = resolved with { Ngp = resolved.Ngp with { SceneBoxHalfSize = half } };
        }

        return resolved;
    }

    /// <summary>
    /// nerfstudio's auto scale of an unbounded capture: the training cameras' mean centre, and the scale that puts the
    /// largest coordinate offset of a camera from it at 1 (so the cameras, and the content between them, lie in the
    /// contraction's identity region).
    /// </summary>
    public static (double X, double Y, double Z, double Scale) CameraNormalization(DataParserOutput train)
    {
        double mx = 0, my = 0, mz = 0;
        for (int i = 0; i < train.Count; i++)
        {
            var (x, y, z) = train.Cameras[i].CameraToWorld.Origin;
            mx += x / train.Count;
            my += y / train.Count;
            mz += z / train.Count;
        }

        double extent = 0;
        for (int i = 0; i < train.Count; i++)
        {
            var (x, y, z) = train.Cameras[i].CameraToWorld.Origin;
            extent = Math.Max(extent, Math.Max(Math.Abs(x - mx), Math.Max(Math.Abs(y - my), Math.Abs(z - mz))));
        }

        return (mx, my, mz, extent > 1e-9 ? 1.0 / extent : 1.0);
    }

    /// <summary>Hands a freshly created model what it keeps from the training data (nerfacto: the training cameras' centres).</summary>
    public static void AttachData(IRadianceModel model, DataParserOutput train)
    {
        if (model is NerfactoModel nerfacto && train.Count == nerfacto.Field.Images)
        {
            var centres = new float[3 * train.Count];
            for (int i = 0; i < train.Count; i++)
            {
                var (x, y, z) = train.Cameras[i].CameraToWorld.Origin;
                centres[3 * i] = (float)x;
                centres[(3 * i) + 1] = (float)y;
                centres[(3 * i) + 2] = (float)z;
            }

            nerfacto.SetTrainingCameraCentres(centres);
        }
    }

    private static NerfactoModel CreateNerfacto(RunConfig config, CameraOptimizer? cameraOptimizer)
    {
        NerfactoConfig n = config.Nerfacto;
        NgpConfig g = config.Ngp;
        var hash = new HashGridConfig(g.HashLevels, g.HashFeaturesPerLevel, g.Log2HashmapSize, g.BaseResolution, g.MaxResolution > 0 ? g.MaxResolution : 2048);
        SceneSpace space = n.IsBounded(config.Data.DatasetType)
            ? SceneSpace.Bounded(SceneBox.Cube((float)(g.SceneBoxHalfSize > 0 ? g.SceneBoxHalfSize : DefaultSceneBoxHalfSize)))
            : SceneSpace.Contracted(n.Contraction == "l2" ? ContractionNorm.L2 : ContractionNorm.LInfinity);
        return new NerfactoModel(n, hash, space, config.Trainer.LearningRate, Math.Max(config.Trainer.BatchRays, config.Trainer.TargetSamplesPerStep > 0 ? config.Trainer.MaxBatchRays : 0), cameraOptimizer);
    }
}
