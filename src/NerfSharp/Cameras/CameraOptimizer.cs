using NerfSharp.Configuration;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Cameras;

/// <summary>
/// Camera pose refinement for any model that fills <see cref="RayBatch.OriginGradients"/> and
/// <see cref="RayBatch.DirectionGradients"/> (nerfstudio's CameraOptimizer): one 6-vector correction per training camera
/// (<see cref="PoseCorrectionMap"/>: rotation R, translation t), zero initialised, trained in its own parameter group
/// "camera_opt" of the model's parameter store (so checkpoints and resume carry it).
/// <para>A training ray of camera c becomes origin o + t_c and direction R_c d (the correction turns the camera about
/// its centre, in world axes, then moves it), as nerfstudio applies it to ray bundles; rays with camera index -1
/// (render paths, eval cameras) are left as they are. Evaluation and rendering use the cameras as given: corrections
/// exist only for training cameras, and are reported through <see cref="CorrectedPose"/>.</para>
/// <para>Use per step: <see cref="Apply"/> to the batch, the model's forward and backward (which writes the ray
/// gradients), then <see cref="Backward"/>, which accumulates dL/dcorrection (plus nerfstudio's norm penalties) into the
/// store's gradients, summing rays in batch order (deterministic).</para>
/// </summary>
public sealed class CameraOptimizer
{
    /// <summary>The parameter group of the corrections.</summary>
    public const string GroupName = "camera_opt";

    /// <summary>The parameter tensor, shape [cameras, 6] (nerfstudio's pose_adjustment).</summary>
    public const string TensorName = "camera_opt.pose_adjustment";

    private readonly CameraOptimizerConfig config;
    private readonly double[] rotations;
    private readonly double[] translations;
    private readonly double[] sums;
    private ParameterStore? store;
    private ParameterTensor? tensor;
    private float[] appliedDirections = [];
    private int appliedCount = -1;

    public CameraOptimizer(CameraOptimizerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Mode = CameraOptimizerModes.Parse(config.Mode);
        if (Mode == CameraOptimizerMode.Off)
        {
            throw new ArgumentException("a camera optimizer needs camera_opt SO3xR3 or SE3", nameof(config));
        }

        if (config.Cameras <= 0)
        {
            throw new ArgumentException($"camera_opt {config.Mode} needs the number of training cameras (got {config.Cameras})", nameof(config));
        }

        this.config = config;
        CameraCount = config.Cameras;
        rotations = new double[9 * CameraCount];
        translations = new double[3 * CameraCount];
        sums = new double[12 * CameraCount];
        Group = new ParameterGroup(
            GroupName,
            new AdamConfig(0.9, 0.999, 1e-15),
            config.LearningRate,
            new ClampedExponentialDecaySchedule(config.FinalLearningRate / config.LearningRate, config.DecaySteps));
    }

    /// <summary>The optimizer for <paramref name="config"/>, or null when its mode is off.</summary>
    public static CameraOptimizer? Create(CameraOptimizerConfig config) =>
        CameraOptimizerModes.Parse(config.Mode) == CameraOptimizerMode.Off ? null : new CameraOptimizer(config);

    public CameraOptimizerMode Mode { get; }

    /// <summary>Training cameras with a correction (camera indices 0 .. CameraCount-1).</summary>
    public int CameraCount { get; }

    /// <summary>Adam settings and schedule of the corrections, for the model's group list.</summary>
    public ParameterGroup Group { get; }

    /// <summary>Registers the corrections in <paramref name="parameters"/> (before it is frozen); called once by the model.</summary>
    public void Register(ParameterStore parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (store != null)
        {
            throw new InvalidOperationException("the camera optimizer is already registered in a parameter store");
        }

        tensor = parameters.Add(TensorName, [CameraCount, PoseCorrectionMap.Width], GroupName);
        store = parameters;
    }

    /// <summary>Zero corrections (nerfstudio's initialisation).</summary>
    public void Initialize() => Values.Clear();

    /// <summary>The correction of <paramref name="camera"/>: translation part at [0..2], rotation vector at [3..5].</summary>
    public ReadOnlySpan<float> Correction(int camera) => Values.Slice(CheckCamera(camera) * PoseCorrectionMap.Width, PoseCorrectionMap.Width);

    /// <summary>
    /// The training camera's pose with its correction: rotation R * R_pose, centre + t (the camera the corrected rays
    /// come from). <paramref name="cameraToWorld"/> is the pose the dataset gave for <paramref name="camera"/>.
    /// </summary>
    public Pose CorrectedPose(int camera, Pose cameraToWorld)
    {
        Span<double> r = stackalloc double[9];
        Span<double> t = stackalloc double[3];
        Transform(CheckCamera(camera), r, t);
        var m = new double[12];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                m[(4 * i) + j] = (r[3 * i] * cameraToWorld[0, j]) + (r[(3 * i) + 1] * cameraToWorld[1, j]) + (r[(3 * i) + 2] * cameraToWorld[2, j]);
            }

            m[(4 * i) + 3] = cameraToWorld[i, 3] + t[i];
        }

        return new Pose(m);
    }

    /// <summary>Mean rotation (degrees) and translation (world units) of the corrections, for reports.</summary>
    public (double RotationDegrees, double Translation) MeanCorrection()
    {
        double rot = 0, trans = 0;
        ReadOnlySpan<float> v = Values;
        for (int c = 0; c < CameraCount; c++)
        {
            ReadOnlySpan<float> x = v.Slice(c * PoseCorrectionMap.Width, PoseCorrectionMap.Width);
            trans += Math.Sqrt((x[0] * (double)x[0]) + (x[1] * (double)x[1]) + (x[2] * (double)x[2]));
            rot += Math.Sqrt((x[3] * (double)x[3]) + (x[4] * (double)x[4]) + (x[5] * (double)x[5]));
        }

        return (rot / CameraCount * 180 / Math.PI, trans / CameraCount);
    }

    /// <summary>
    /// Corrects the live rays of <paramref name="rays"/> in place (origin + t, R * direction) by their camera's correction,
    /// and keeps the directions as given for <see cref="Backward"/>. Rays of camera -1 are unchanged.
    /// </summary>
    public void Apply(RayBatch rays)
    {
        ArgumentNullException.ThrowIfNull(rays);
        for (int c = 0; c < CameraCount; c++)
        {
            Transform(c, rotations.AsSpan(9 * c, 9), translations.AsSpan(3 * c, 3));
        }

        if (appliedDirections.Length < rays.Capacity * 3)
        {
            appliedDirections = new float[rays.Capacity * 3]; // once per batch capacity, not per step
        }

        int n = rays.Count;
        rays.Directions.AsSpan(0, 3 * n).CopyTo(appliedDirections);
        float[] o = rays.Origins, d = rays.Directions;
        for (int r = 0; r < n; r++)
        {
            int c = rays.CameraIndex[r];
            if (c < 0)
            {
                continue;
            }

            CheckCamera(c);
            ReadOnlySpan<double> rot = rotations.AsSpan(9 * c, 9);
            int i = 3 * r;
            double dx = d[i], dy = d[i + 1], dz = d[i + 2];
            d[i] = (float)((rot[0] * dx) + (rot[1] * dy) + (rot[2] * dz));
            d[i + 1] = (float)((rot[3] * dx) + (rot[4] * dy) + (rot[5] * dz));
            d[i + 2] = (float)((rot[6] * dx) + (rot[7] * dy) + (rot[8] * dz));
            o[i] = (float)(o[i] + translations[3 * c]);
            o[i + 1] = (float)(o[i + 1] + translations[(3 * c) + 1]);
            o[i + 2] = (float)(o[i + 2] + translations[(3 * c) + 2]);
        }

        appliedCount = n;
    }

    /// <summary>
    /// Accumulates dL/dcorrection into the store's gradients from the ray gradients the model wrote for the rays of the
    /// last <see cref="Apply"/> (dL/dt = sum of dL/dorigin, dL/dR = sum of dL/ddirection * direction^T per camera), plus the
    /// gradient of nerfstudio's penalty (weights times the mean over cameras of |translation part| and |rotation vector|).
    /// Returns the penalty's value.
    /// </summary>
    public double Backward(RayBatch rays)
    {
        ArgumentNullException.ThrowIfNull(rays);
        if (appliedCount != rays.Count)
        {
            throw new InvalidOperationException($"Backward expects the {appliedCount} rays of the last Apply, got {rays.Count}");
        }

        float[] gOrigin = rays.OriginGradients ?? throw new InvalidOperationException("the ray batch has no ray gradients (call EnableRayGradients)");
        float[] gDirection = rays.DirectionGradients!;
        Array.Clear(sums);
        for (int r = 0; r < appliedCount; r++)
        {
            int c = rays.CameraIndex[r];
            if (c < 0)
            {
                continue;
            }

            int i = 3 * r;
            Span<double> s = sums.AsSpan(12 * c, 12);
            for (int a = 0; a < 3; a++)
            {
                double g = gDirection[i + a];
                s[(3 * a) + 0] += g * appliedDirections[i];
                s[(3 * a) + 1] += g * appliedDirections[i + 1];
                s[(3 * a) + 2] += g * appliedDirections[i + 2];
                s[9 + a] += gOrigin[i + a];
            }
        }

        Span<float> grad = store!.GradientsOf(tensor!);
        ReadOnlySpan<float> values = Values;
        Span<double> xi = stackalloc double[PoseCorrectionMap.Width];
        Span<double> dXi = stackalloc double[PoseCorrectionMap.Width];
        double penalty = 0;
        double perCamera = 1.0 / CameraCount;
        for (int c = 0; c < CameraCount; c++)
        {
            int p = c * PoseCorrectionMap.Width;
            for (int k = 0; k < PoseCorrectionMap.Width; k++)
            {
                xi[k] = values[p + k];
            }

            PoseCorrectionMap.Backward(Mode, xi, sums.AsSpan(12 * c, 9), sums.AsSpan((12 * c) + 9, 3), dXi);
            penalty += AddNormGradient(xi[..3], dXi[..3], config.TranslationPenalty * perCamera);
            penalty += AddNormGradient(xi[3..], dXi[3..], config.RotationPenalty * perCamera);
            for (int k = 0; k < PoseCorrectionMap.Width; k++)
            {
                grad[p + k] += (float)dXi[k];
            }
        }

        return penalty;
    }

    private Span<float> Values => store is null
        ? throw new InvalidOperationException("the camera optimizer is not registered in a parameter store")
        : store.ValuesOf(tensor!);

    /// <summary>weight * |x| and its gradient added to <paramref name="dLdX"/> (0 at x = 0, as torch's norm backward).</summary>
    private static double AddNormGradient(ReadOnlySpan<double> x, Span<double> dLdX, double weight)
    {
        double norm = Math.Sqrt((x[0] * x[0]) + (x[1] * x[1]) + (x[2] * x[2]));
        if (norm > 0 && weight > 0)
        {
            for (int k = 0; k < 3; k++)
            {
                dLdX[k] += weight * x[k] / norm;
            }
        }

        return weight * norm;
    }

    private void Transform(int camera, Span<double> rotation, Span<double> translation)
    {
        ReadOnlySpan<float> v = Correction(camera);
        Span<double> xi = stackalloc double[PoseCorrectionMap.Width];
        for (int k = 0; k < PoseCorrectionMap.Width; k++)
        {
            xi[k] = v[k];
        }

        PoseCorrectionMap.Forward(Mode, xi, rotation, translation);
    }

    private int CheckCamera(int camera) =>
        (uint)camera < (uint)CameraCount ? camera : throw new ArgumentOutOfRangeException(nameof(camera), camera, $"the camera optimizer has {CameraCount} training cameras");
}
