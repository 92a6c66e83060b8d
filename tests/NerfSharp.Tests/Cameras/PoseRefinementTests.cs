using NerfSharp.Cameras;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;
using NerfSharp.Training;
using Xunit.Abstractions;

namespace NerfSharp.Tests.Cameras;

/// <summary>
/// Pose refinement recovers a known error: the demo scene's training poses are perturbed (3 degrees about a random axis,
/// 3% of the scene's size in a random direction), ngp trains with SO3xR3 refinement on and off for the same steps, and the
/// corrected poses move towards the truth while held-out views (true poses, not refined) score better than without it.
/// Also: the corrections survive a checkpoint, and kill + resume of a refining run is bit-identical.
/// </summary>
public sealed class PoseRefinementTests : IClassFixture<DemoSceneFixture>
{
    private const double PerturbDegrees = 3;
    private const double PerturbFraction = 0.03;

    private readonly DemoSceneFixture scene;
    private readonly ITestOutputHelper output;

    public PoseRefinementTests(DemoSceneFixture scene, ITestOutputHelper output)
    {
        this.scene = scene;
        this.output = output;
    }

    private const int Steps = 250;

    // Measured 2026-12-02 (250 steps, SO3xR3, default camera_opt settings): rotation error 3.000 -> 1.395 degrees (x0.47),
    // translation error 0.0720 -> 0.0693 (x0.96), reprojection error of scene points 2.06 -> 0.63 px (x0.31), held-out PSNR
    // 16.55 dB without refinement and 19.69 dB with it. The pins sit a little below. Translation moves least: seen from 4 units
    // away through a 40-degree lens, a sideways shift looks almost like a turn, and the turn absorbs most of the image error.
    private const double RotationKept = 0.6;

    private const double TranslationKept = 0.99;

    private const double ReprojectionKept = 0.4;

    private const double PsnrGain = 2.0;

    [Fact]
    public void RefinementRecoversPerturbedPosesAndBeatsTrainingWithoutIt()
    {
        using var dir = new TempDirectory();
        RunConfig off = Config(dir.Combine("off"), Steps, "off", cameras: 0);
        DataParserOutput truth = DatasetLoader.Load(off.Data, "train");
        DataParserOutput perturbed = Perturb(truth, new Rng(21));
        DataParserOutput test = DatasetLoader.Load(off.Data, "test");
        PoseError before = Error(truth, perturbed, null);

        IRadianceModel plain = Train(off, perturbed);
        double psnrOff = Evaluator.Evaluate(plain, test, 4096, outputDir: null).Psnr;
        IRadianceModel refined = Train(Config(dir.Combine("on"), Steps, "SO3xR3", perturbed.Count), perturbed);
        double psnrOn = Evaluator.Evaluate(refined, test, 4096, outputDir: null).Psnr;
        PoseError after = Error(truth, perturbed, refined.CameraOptimizer);

        output.WriteLine(
            $"mean rotation error {before.RotationDegrees:F3} -> {after.RotationDegrees:F3} deg, translation error {before.Translation:F4} -> {after.Translation:F4}, " +
            $"reprojection error {before.ReprojectionPixels:F3} -> {after.ReprojectionPixels:F3} px; held-out PSNR without refinement {psnrOff:F2} dB, with {psnrOn:F2} dB");
        Assert.True(after.RotationDegrees < RotationKept * before.RotationDegrees, $"mean rotation error {before.RotationDegrees:F3} -> {after.RotationDegrees:F3} degrees");
        Assert.True(after.Translation < TranslationKept * before.Translation, $"mean translation error {before.Translation:F4} -> {after.Translation:F4}");
        Assert.True(after.ReprojectionPixels < ReprojectionKept * before.ReprojectionPixels, $"mean reprojection error {before.ReprojectionPixels:F3} -> {after.ReprojectionPixels:F3} px");
        Assert.True(psnrOn > psnrOff + PsnrGain, $"held-out PSNR with refinement {psnrOn:F2} dB, without {psnrOff:F2} dB");
    }

    [Fact]
    public void CorrectionsAreCheckpointedAndAResumedRunIsBitIdentical()
    {
        using var dir = new TempDirectory();
        DataParserOutput truth = DatasetLoader.Load(Config(dir.Path, 1, "off", 0).Data, "train");
        DataParserOutput perturbed = Perturb(truth, new Rng(5));
        RunConfig straight = Config(dir.Combine("straight"), 16, "SE3", perturbed.Count);
        straight = straight with { Trainer = straight.Trainer with { CheckpointEvery = 8 } };
        IRadianceModel a = Train(straight, perturbed);
        Assert.NotNull(a.CameraOptimizer);
        Assert.True(a.CameraOptimizer.MeanCorrection().RotationDegrees > 0, "the corrections did not move");

        // A second process picks the run up at its step-8 checkpoint (same config: the schedules span the same 16 steps).
        RunConfig resumed = straight with { OutputDir = dir.Combine("resumed") };
        IRadianceModel b = ModelFactory.Create(resumed, perturbed.Background);
        var trainer = new Trainer(resumed, b, perturbed);
        trainer.Resume(new CheckpointDirectory(dir.Combine("straight", "checkpoints")).PathFor(8));
        Assert.Equal(8, trainer.Step);
        trainer.Run();
        Assert.Equal(a.Parameters.Values, b.Parameters.Values);

        // The corrections come back with the model of a trained run (eval and render leave them unused).
        new RunFolder(dir.Combine("straight")).WriteConfig(straight);
        TrainedRun run = TrainedRun.Open(dir.Combine("straight"));
        Assert.NotNull(run.Model.CameraOptimizer);
        for (int c = 0; c < perturbed.Count; c++)
        {
            Assert.Equal(a.CameraOptimizer.Correction(c).ToArray(), run.Model.CameraOptimizer.Correction(c).ToArray());
        }
    }

    /// <summary>Each camera turned by <see cref="PerturbDegrees"/> about a random axis through its centre and moved by <see cref="PerturbFraction"/> of the scene's size.</summary>
    private static DataParserOutput Perturb(DataParserOutput data, Rng rng)
    {
        double shift = PerturbFraction * 2 * NerfSharp.Data.Demo.DemoScene.HalfExtent;
        var cameras = new Camera[data.Count];
        var xi = new double[6];
        var r = new double[9];
        var t = new double[3];
        for (int c = 0; c < data.Count; c++)
        {
            double[] axis = RandomUnit(rng), move = RandomUnit(rng);
            double angle = PerturbDegrees * Math.PI / 180;
            xi[0] = move[0] * shift;
            xi[1] = move[1] * shift;
            xi[2] = move[2] * shift;
            xi[3] = axis[0] * angle;
            xi[4] = axis[1] * angle;
            xi[5] = axis[2] * angle;
            PoseCorrectionMap.Forward(CameraOptimizerMode.SO3xR3, xi, r, t);
            Pose p = data.Cameras[c].CameraToWorld;
            var m = new double[12];
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    m[(4 * i) + j] = (r[3 * i] * p[0, j]) + (r[(3 * i) + 1] * p[1, j]) + (r[(3 * i) + 2] * p[2, j]);
                }

                m[(4 * i) + 3] = p[i, 3] + t[i];
            }

            cameras[c] = data.Cameras[c] with { CameraToWorld = new Pose(m) };
        }

        return data with { Cameras = cameras };
    }

    /// <summary>
    /// Mean over cameras of the rotation angle (degrees) and centre distance between the true pose and the given one (corrected
    /// when an optimizer is given), and of the pixel distance between where the two project points of the scene.
    /// </summary>
    private static PoseError Error(DataParserOutput truth, DataParserOutput given, CameraOptimizer? optimizer)
    {
        double rot = 0, trans = 0, pixels = 0;
        var rel = new double[9];
        var points = new Rng(77);
        int pointCount = 0;
        for (int c = 0; c < truth.Count; c++)
        {
            Pose a = truth.Cameras[c].CameraToWorld;
            Pose b = optimizer?.CorrectedPose(c, given.Cameras[c].CameraToWorld) ?? given.Cameras[c].CameraToWorld;
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    rel[(3 * i) + j] = (a[0, i] * b[0, j]) + (a[1, i] * b[1, j]) + (a[2, i] * b[2, j]);
                }
            }

            rot += PoseCorrectionMap.Angle(rel) * 180 / Math.PI;
            double dx = a[0, 3] - b[0, 3], dy = a[1, 3] - b[1, 3], dz = a[2, 3] - b[2, 3];
            trans += Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
            for (int k = 0; k < 32; k++, pointCount++)
            {
                double[] p = RandomUnit(points);
                double radius = NerfSharp.Data.Demo.DemoScene.HalfExtent * points.NextDouble();
                var (ua, va) = ProjectWorld(truth.Cameras[c], a, p[0] * radius, p[1] * radius, p[2] * radius);
                var (ub, vb) = ProjectWorld(truth.Cameras[c], b, p[0] * radius, p[1] * radius, p[2] * radius);
                pixels += Math.Sqrt(((ua - ub) * (ua - ub)) + ((va - vb) * (va - vb)));
            }
        }

        return new PoseError(rot / truth.Count, trans / truth.Count, pixels / pointCount);
    }

    private static (double U, double V) ProjectWorld(Camera camera, Pose pose, double x, double y, double z)
    {
        double dx = x - pose[0, 3], dy = y - pose[1, 3], dz = z - pose[2, 3];
        return RayGenerator.Project(
            camera,
            (pose[0, 0] * dx) + (pose[1, 0] * dy) + (pose[2, 0] * dz),
            (pose[0, 1] * dx) + (pose[1, 1] * dy) + (pose[2, 1] * dz),
            (pose[0, 2] * dx) + (pose[1, 2] * dy) + (pose[2, 2] * dz));
    }

    private static IRadianceModel Train(RunConfig config, DataParserOutput train)
    {
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        trainer.Run();
        return model;
    }

    private static double[] RandomUnit(Rng rng)
    {
        while (true)
        {
            double x = (2 * rng.NextDouble()) - 1, y = (2 * rng.NextDouble()) - 1, z = (2 * rng.NextDouble()) - 1;
            double n = Math.Sqrt((x * x) + (y * y) + (z * z));
            if (n is > 0.1 and <= 1)
            {
                return [x / n, y / n, z / n];
            }
        }
    }

    private RunConfig Config(string outputDir, int steps, string cameraOpt, int cameras) => ModelPresets.Defaults("ngp") with
    {
        OutputDir = outputDir,
        Data = new DataConfig { DataDir = scene.SceneDir, WhiteBackground = true, RandomBackground = true, TestSkip = 1 },
        Ngp = new NgpConfig
        {
            HashLevels = 8,
            Log2HashmapSize = 12,
            MaxResolution = 128,
            GridResolution = 32,
            GridWarmupSteps = 32,
            SceneBoxHalfSize = 1.5,
            RenderStepsPerDiagonal = 256,
        },
        CameraOptimizer = new CameraOptimizerConfig { Mode = cameraOpt, Cameras = cameras },
        Trainer = ModelPresets.Defaults("ngp").Trainer with
        {
            Steps = steps,
            BatchRays = 512,
            TargetSamplesPerStep = 1 << 13,
            MaxBatchRays = 4096,
            LogEvery = 0,
            CheckpointEvery = steps,
            Seed = 1,
            Chunk = 4096,
        },
    };

    private readonly record struct PoseError(double RotationDegrees, double Translation, double ReprojectionPixels);
}
