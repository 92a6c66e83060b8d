using System.Numerics.Tensors;
using NerfSharp.Configuration;
using NerfSharp.Fields;
using NerfSharp.Losses;
using NerfSharp.Numerics;
using NerfSharp.Rendering;
using NerfSharp.Sampling;

namespace NerfSharp.Models;

/// <summary>
/// The buffers and steps of one nerfacto pass over up to MaxRays rays: ray setup (unit directions, bounds, image), the three
/// sampling stages with their fields, compositing, and the backward of the RGB, interlevel and distortion losses down to
/// the fields' parameters and, when asked, to the rays. Per-ray work runs on two halves of the rays (disjoint samples, the
/// same split whatever the thread count, so results do not depend on it); the fields parallelise inside.
/// </summary>
internal sealed class NerfactoPass
{
    private const int ParallelThreshold = 1 << 14;

    private readonly NerfactoModel model;
    private readonly NerfactoConfig config;
    private readonly NerfactoSampleLevel[] levels;
    private readonly ProposalDensityField.Context[] proposalContexts;
    private readonly NerfactoField.Context fieldContext;
    private readonly bool useDataBounds;
    private readonly string background;
    private readonly float[][] cdfScratch;
    private readonly double[] halfLoss = new double[2];
    private readonly float[] meanEmbedding;
    private readonly int images;
    private readonly NerfactoPhaseTimes? times;
    private long lap;
    private readonly float scale;
    private readonly float centerX, centerY, centerZ;
    private readonly int[] active;
    private readonly float[] rayRgb;
    private readonly float[] rayAccumulation;
    private readonly float[] rayDepth;
    private readonly float[] rayBackground;
    private readonly float[] rayDLdRgb;
    private readonly float[] rayDLdAccumulation;
    private readonly float[] rayDLdBackground;
    private int activeCount;

    /// <param name="times">Where training passes add their phase times (null: not timed).</param>
    public NerfactoPass(NerfactoModel model, NerfactoConfig config, int maxRays, NerfactoPhaseTimes? times = null)
    {
        this.times = times;
        this.model = model;
        this.config = config;
        MaxRays = maxRays;
        levels =
        [
            new NerfactoSampleLevel(maxRays, config.ProposalSamples1, colour: false),
            new NerfactoSampleLevel(maxRays, config.ProposalSamples2, colour: false),
            new NerfactoSampleLevel(maxRays, config.NerfSamples, colour: true),
        ];
        proposalContexts =
        [
            model.Proposals[0].CreateContext(maxRays * config.ProposalSamples1),
            model.Proposals[1].CreateContext(maxRays * config.ProposalSamples2),
        ];
        fieldContext = model.Field.CreateContext(maxRays * config.NerfSamples);
        useDataBounds = config.RayBounds == "data" || (config.RayBounds == "auto" && model.Space.IsBounded);
        background = config.Background;
        int most = Math.Max(config.ProposalSamples1, config.ProposalSamples2) + 1;
        cdfScratch = [new float[most], new float[most]];
        images = config.TrainImages;
        bool normalized = config.SceneScale > 0 && !model.Space.IsBounded;
        scale = normalized ? (float)config.SceneScale : 1f;
        (centerX, centerY, centerZ) = normalized ? ((float)config.SceneCenterX, (float)config.SceneCenterY, (float)config.SceneCenterZ) : (0f, 0f, 0f);
        meanEmbedding = new float[Math.Max(1, config.AppearanceWidth)];
        Origins = new float[3 * maxRays];
        Units = new float[3 * maxRays];
        Norm = new float[maxRays];
        Near = new float[maxRays];
        Far = new float[maxRays];
        Jitter = new float[3 * maxRays];
        Image = new int[maxRays];
        Rgb = new float[3 * maxRays];
        Accumulation = new float[maxRays];
        Depth = new float[maxRays];
        DLdRgb = new float[3 * maxRays];
        active = new int[maxRays];
        rayRgb = new float[3 * maxRays];
        rayAccumulation = new float[maxRays];
        rayDepth = new float[maxRays];
        rayBackground = new float[3 * maxRays];
        rayDLdRgb = new float[3 * maxRays];
        rayDLdAccumulation = new float[maxRays];
        rayDLdBackground = new float[3 * maxRays];
    }

    public int MaxRays { get; }

    /// <summary>
    /// Ray origins [active rays][3] in model units: (world - centre) * scale (the scene normalisation; identity for bounded
    /// scenes). This and the other per-ray stage buffers below are indexed by active ray (see <see cref="ActiveRays"/>).
    /// </summary>
    public float[] Origins { get; }

    /// <summary>Unit ray directions [active rays][3].</summary>
    public float[] Units { get; }

    /// <summary>Length of each ray's given direction, by batch ray.</summary>
    public float[] Norm { get; }

    /// <summary>Model-unit bounds of each active ray along its unit direction (clipped to its occupied stretch with a grid).</summary>
    public float[] Near { get; }

    public float[] Far { get; }

    /// <summary>One jitter per active ray and stage (stage k at [k MaxRays + r]).</summary>
    public float[] Jitter { get; }

    /// <summary>The appearance-embedding row of each active ray (-1: the mean embedding).</summary>
    public int[] Image { get; }

    /// <summary>Colour of each batch ray over its background.</summary>
    public float[] Rgb { get; }

    /// <summary>Opacity of each batch ray.</summary>
    public float[] Accumulation { get; }

    /// <summary>Expected world distance sum_i w_i t_i of each batch ray (not divided by the opacity).</summary>
    public float[] Depth { get; }

    /// <summary>dL/drgb of each batch ray (the caller's loss writes it before <see cref="Backward"/>).</summary>
    public float[] DLdRgb { get; }

    /// <summary>
    /// Rays of the last <see cref="Forward"/> that were sampled: all of them without an occupancy grid, else those that
    /// cross an occupied cell. The others see only their background (opacity 0, no samples, no gradients).
    /// </summary>
    public int ActiveRays => activeCount;

    public long TotalSamples => (long)levels[0].Samples.Samples + levels[1].Samples.Samples + levels[2].Samples.Samples;

    /// <summary>
    /// Rays [start, start + n) of the batch through all stages into <see cref="Rgb"/>, <see cref="Accumulation"/> and
    /// <see cref="Depth"/>. Training draws one jitter per ray and stage from <paramref name="rng"/> (null: keep the last ones);
    /// <paramref name="resample"/> false keeps the last call's sample intervals.
    /// </summary>
    public void Forward(RayBatch rays, int start, int n, bool training, Rng? rng, float anneal, bool resample)
    {
        if (n > MaxRays)
        {
            throw new ArgumentException($"{n} rays exceed the pass's {MaxRays}", nameof(n));
        }

        lap = System.Diagnostics.Stopwatch.GetTimestamp();
        SetupRays(rays, start, n, training);
        int all = n;
        activeCount = resample ? SelectRays(n) : KeepSelection();
        n = activeCount;
        if (training && rng != null)
        {
            for (int k = 0; k < 3; k++)
            {
                PiecewiseSampler.DrawJitter(rng, Jitter.AsSpan(k * MaxRays, n));
            }
        }

        model.Field.MeanAppearance(model.Parameters, meanEmbedding);
        NerfactoSampleLevel first = levels[0];
        if (resample)
        {
            first.Samples.Reset(n);
            first.Samples.Samples = n * first.PerRay;
            OnHalves(n, first.Samples.Samples, (a, b, h) => PiecewiseSampler.Sample(
                Near, Far, a, b, first.PerRay, training ? Jitter.AsSpan(0, n) : [], first.Samples, first.SpacingStart, first.SpacingEnd));
        }

        for (int k = 0; k < 3; k++)
        {
            NerfactoSampleLevel level = levels[k];
            if (k > 0 && resample)
            {
                NerfactoSampleLevel previous = levels[k - 1];
                level.Samples.Reset(n);
                level.Samples.Samples = n * level.PerRay;
                int stage = k;
                OnHalves(n, level.Samples.Samples, (a, b, h) => ProposalResampler.Resample(
                    previous.Samples, previous.SpacingStart, previous.SpacingEnd, previous.Weights, anneal, Near, Far, a, b, level.PerRay,
                    training ? Jitter.AsSpan(stage * MaxRays, n) : [], level.Samples, level.SpacingStart, level.SpacingEnd, cdfScratch[h]));
            }

            int count = level.Samples.Samples;
            OnHalves(n, count, (a, b, h) => FillPositions(level, a, b));
            if (times != null)
            {
                times.Sampling += Lap();
            }

            if (k < 2)
            {
                model.Proposals[k].Forward(level.Positions, count, level.Density, proposalContexts[k]);
                if (times != null)
                {
                    times.ProposalForward += Lap();
                }

                OnHalves(n, count, (a, b, h) => Weights(level, a, b));
                if (times != null)
                {
                    times.Composite += Lap();
                }
            }
            else
            {
                model.Field.Forward(model.Parameters, level.Positions, level.Directions, level.SampleImage, meanEmbedding, count, level.Density, level.Color, fieldContext);
                if (times != null)
                {
                    times.FieldForward += Lap();
                }

                OnHalves(n, count, (a, b, h) =>
                {
                    Weights(level, a, b);
                    Composite(rays, start, level, a, b);
                    if (resample)
                    {
                        int from = level.Samples.RayStart[a], to = b > a ? level.Samples.RayStart[b - 1] + level.Samples.RayCount[b - 1] : from;
                        level.Weights.AsSpan(from, to - from).CopyTo(level.InterlevelTarget.AsSpan(from));
                    }
                });
                if (times != null)
                {
                    times.Composite += Lap();
                }
            }
        }

        Scatter(rays, start, all);
        if (times != null)
        {
            times.Steps++;
            times.Samples += TotalSamples;
            times.Rays += all;
            times.ActiveRays += n;
        }
    }

    /// <summary>
    /// Compacts the rays that cross an occupied cell of the model's grid to the front of the per-ray buffers, their bounds
    /// clipped to the occupied stretch; returns how many. Without a (ready) grid every ray stays, in place.
    /// </summary>
    private int SelectRays(int n)
    {
        OccupancyGrid? grid = model.GridReady ? model.Grid : null;
        if (grid is null)
        {
            for (int r = 0; r < n; r++)
            {
                active[r] = r;
            }

            return n;
        }

        var view = new RayMarcher.GridView(grid);
        int m = 0;
        for (int r = 0; r < n; r++)
        {
            if (!OccupiedInterval.Find(in view, grid.StepSize, Origins.AsSpan(3 * r, 3), Units.AsSpan(3 * r, 3), Near[r], Far[r], out float first, out float last))
            {
                continue;
            }

            MoveRay(r, m);
            Near[m] = first;
            Far[m] = last;
            active[m++] = r;
        }

        return m;
    }

    /// <summary>Compacts the per-ray buffers to the last call's active rays (same rays, intervals kept: the test hook's reuse).</summary>
    private int KeepSelection()
    {
        for (int i = 0; i < activeCount; i++)
        {
            MoveRay(active[i], i);
        }

        return activeCount;
    }

    /// <summary>Batch ray <paramref name="from"/>'s origin, direction and image to active slot <paramref name="to"/> (to &lt;= from, so compacting in ray order reads each ray before anything overwrites it).</summary>
    private void MoveRay(int from, int to)
    {
        Origins.AsSpan(3 * from, 3).CopyTo(Origins.AsSpan(3 * to, 3));
        Units.AsSpan(3 * from, 3).CopyTo(Units.AsSpan(3 * to, 3));
        Image[to] = Image[from];
    }

    /// <summary>The active rays' colour, opacity and depth to their batch rays; the others see their background only.</summary>
    private void Scatter(RayBatch rays, int start, int n)
    {
        float[] fixedColour = model.FixedBackground;
        bool isFixed = background == "fixed";
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                Rgb[(3 * r) + c] = isFixed ? fixedColour[c] : rays.Background[(3 * (start + r)) + c];
            }

            Accumulation[r] = 0f;
            Depth[r] = 0f;
        }

        for (int i = 0; i < activeCount; i++)
        {
            int r = active[i];
            rayRgb.AsSpan(3 * i, 3).CopyTo(Rgb.AsSpan(3 * r, 3));
            Accumulation[r] = rayAccumulation[i];
            Depth[r] = rayDepth[i];
        }
    }

    /// <summary>Seconds since the last lap; starts the next.</summary>
    private double Lap()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(lap, now).TotalSeconds;
        lap = now;
        return seconds;
    }

    /// <summary>
    /// From dL/drgb (in <see cref="DLdRgb"/>): the distortion and interlevel losses' gradients join the render's on the
    /// weights, down to every field's parameters and, when the batch wants them, to its rays. Returns the interlevel and
    /// distortion losses (scaled as differentiated).
    /// </summary>
    public double Backward(RayBatch rays, int start, int n, int lossScaleRays)
    {
        for (int i = 0; i < activeCount; i++)
        {
            DLdRgb.AsSpan(3 * active[i], 3).CopyTo(rayDLdRgb.AsSpan(3 * i, 3));
        }

        if (rays.OriginGradients != null && rays.DirectionGradients != null)
        {
            rays.OriginGradients.AsSpan(3 * start, 3 * n).Clear();
            rays.DirectionGradients.AsSpan(3 * start, 3 * n).Clear();
        }

        n = activeCount;
        NerfactoSampleLevel main = levels[2];
        double distortionScale = config.DistortionWeight / lossScaleRays;
        double interlevelScale = config.InterlevelWeight / ((double)lossScaleRays * main.PerRay);
        lap = System.Diagnostics.Stopwatch.GetTimestamp();
        OnHalves(n, main.Samples.Samples, (a, b, h) => halfLoss[h] = BackwardRays(rays, start, a, b, distortionScale, interlevelScale));
        if (times != null)
        {
            times.LossBackward += Lap();
        }

        bool rayGradients = rays.OriginGradients != null && rays.DirectionGradients != null;
        int count = main.Samples.Samples;
        model.Field.Backward(
            model.Parameters, fieldContext, main.DLdDensity.AsSpan(0, count), main.DLdColor.AsSpan(0, 3 * count),
            rayGradients ? main.DLdPositions.AsSpan(0, 3 * count) : [], rayGradients ? main.DLdDirections.AsSpan(0, 3 * count) : []);
        if (times != null)
        {
            times.FieldBackward += Lap();
        }

        for (int k = 0; k < 2; k++)
        {
            int c = levels[k].Samples.Samples;
            model.Proposals[k].Backward(proposalContexts[k], levels[k].DLdDensity.AsSpan(0, c), rayGradients ? levels[k].DLdPositions.AsSpan(0, 3 * c) : []);
        }

        if (times != null)
        {
            times.ProposalBackward += Lap();
        }

        if (rayGradients)
        {
            OnHalves(n, count, (a, b, h) => RayGradients(rays, start, a, b));
            if (times != null)
            {
                times.RayGradients += Lap();
            }
        }

        return halfLoss[0] + halfLoss[1];
    }

    /// <summary>Two fixed halves of the rays, on two threads when there is enough work (same results either way).</summary>
    private static void OnHalves(int n, int samples, Action<int, int, int> body)
    {
        int half = n / 2;
        if (samples < ParallelThreshold || Environment.ProcessorCount < 2)
        {
            body(0, half, 0);
            body(half, n, 1);
            return;
        }

        Parallel.Invoke(() => body(0, half, 0), () => body(half, n, 1));
    }

    private void SetupRays(RayBatch rays, int start, int n, bool training)
    {
        SceneBox? box = model.Space.Box;
        float nearPlane = (float)config.NearPlane, farPlane = (float)config.FarPlane;
        bool nearest = config.AppearanceEval == "nearest";
        for (int r = 0; r < n; r++)
        {
            float norm = NgpSamplePoints.UnitRay(rays, start + r, Origins, Units, r);
            Norm[r] = norm;
            float near = useDataBounds ? rays.Near[start + r] * norm * scale : nearPlane;
            float far = useDataBounds ? rays.Far[start + r] * norm * scale : farPlane;
            int o = 3 * r;
            int camera = rays.CameraIndex[start + r];
            Image[r] = camera >= 0 && camera < images ? camera : (!training && nearest ? model.NearestTrainingCamera(Origins[o], Origins[o + 1], Origins[o + 2]) : -1);
            Origins[o] = (Origins[o] - centerX) * scale;
            Origins[o + 1] = (Origins[o + 1] - centerY) * scale;
            Origins[o + 2] = (Origins[o + 2] - centerZ) * scale;
            if (box is { } b && b.Intersect(Origins[o], Origins[o + 1], Origins[o + 2], Units[o], Units[o + 1], Units[o + 2], out float enter, out float exit))
            {
                near = MathF.Max(near, enter);
                far = MathF.Min(far, exit);
            }

            if (!(far > near))
            {
                far = near + 1e-3f; // a ray that misses the box: its samples lie outside, where the density is 0
            }

            Near[r] = near;
            Far[r] = far;
        }
    }

    /// <summary>World midpoints [3][samples] of rays [a, b)'s samples (and, for the main field, view directions and images).</summary>
    private void FillPositions(NerfactoSampleLevel level, int a, int b)
    {
        RaySamples samples = level.Samples;
        int count = samples.Samples;
        Span<float> px = level.Positions.AsSpan(0, count), py = level.Positions.AsSpan(count, count), pz = level.Positions.AsSpan(2 * count, count);
        bool colour = level.Directions.Length > 0;
        for (int r = a; r < b; r++)
        {
            float ox = Origins[3 * r], oy = Origins[(3 * r) + 1], oz = Origins[(3 * r) + 2];
            float ux = Units[3 * r], uy = Units[(3 * r) + 1], uz = Units[(3 * r) + 2];
            int end = samples.RayStart[r] + samples.RayCount[r];
            for (int s = samples.RayStart[r]; s < end; s++)
            {
                float t = 0.5f * (samples.TStart[s] + samples.TEnd[s]);
                px[s] = ox + (ux * t);
                py[s] = oy + (uy * t);
                pz[s] = oz + (uz * t);
                if (colour)
                {
                    level.Directions[s] = ux;
                    level.Directions[count + s] = uy;
                    level.Directions[(2 * count) + s] = uz;
                    level.SampleImage[s] = Image[r];
                }
            }
        }
    }

    private static void Weights(NerfactoSampleLevel level, int a, int b)
    {
        RaySamples s = level.Samples;
        RenderWeights.Forward(s.RayStart.AsSpan(a, b - a), s.RayCount.AsSpan(a, b - a), level.Density, s.TStart, s.TEnd, level.Weights, []);
    }

    /// <summary>Colour, opacity and depth of rays [a, b) over their background.</summary>
    private void Composite(RayBatch rays, int start, NerfactoSampleLevel level, int a, int b)
    {
        RaySamples samples = level.Samples;
        int count = samples.Samples, m = b - a;
        ReadOnlySpan<int> rayStart = samples.RayStart.AsSpan(a, m), rayCount = samples.RayCount.AsSpan(a, m);
        RayAccumulation.Forward(rayStart, rayCount, level.Weights, level.Color, 3, count, rayRgb.AsSpan(3 * a, 3 * m));
        RayAccumulation.Accumulation(rayStart, rayCount, level.Weights, rayAccumulation.AsSpan(a, m));
        RayAccumulation.ExpectedDepth(rayStart, rayCount, level.Weights, samples.TStart, samples.TEnd, rayDepth.AsSpan(a, m));
        if (scale != 1f)
        {
            TensorPrimitives.Multiply(rayDepth.AsSpan(a, m), 1f / scale, rayDepth.AsSpan(a, m));
        }

        float[] fixedColour = model.FixedBackground;
        for (int r = a; r < b; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                int last = samples.RayStart[r] + samples.RayCount[r] - 1;
                rayBackground[(3 * r) + c] = background switch
                {
                    "last_sample" => samples.RayCount[r] > 0 ? level.Color[(c * count) + last] : 0f,
                    "fixed" => fixedColour[c],
                    _ => rays.Background[(3 * (start + active[r])) + c],
                };
            }
        }

        RayAccumulation.CompositeBackground(rayAccumulation.AsSpan(a, m), rayBackground.AsSpan(3 * a, 3 * m), rayRgb.AsSpan(3 * a, 3 * m));
    }

    private double BackwardRays(RayBatch rays, int start, int a, int b, double distortionScale, double interlevelScale)
    {
        NerfactoSampleLevel main = levels[2];
        RaySamples samples = main.Samples;
        int count = samples.Samples, m = b - a;
        ReadOnlySpan<int> rayStart = samples.RayStart.AsSpan(a, m), rayCount = samples.RayCount.AsSpan(a, m);
        bool lastSample = background == "last_sample";
        Span<float> dAcc = rayDLdAccumulation.AsSpan(a, m);
        dAcc.Clear();
        RayAccumulation.CompositeBackgroundBackward(
            rayAccumulation.AsSpan(a, m), rayBackground.AsSpan(3 * a, 3 * m), rayDLdRgb.AsSpan(3 * a, 3 * m), dAcc, lastSample ? rayDLdBackground.AsSpan(3 * a, 3 * m) : []);
        ClearRays(main.DLdWeights, samples, a, b);
        RayAccumulation.AccumulationBackward(rayStart, rayCount, dAcc, main.DLdWeights);
        RayAccumulation.Backward(rayStart, rayCount, main.Weights, main.Color, 3, count, rayDLdRgb.AsSpan(3 * a, 3 * m), main.DLdWeights, main.DLdColor.AsSpan(0, 3 * count));
        if (lastSample)
        {
            for (int r = a; r < b; r++)
            {
                if (samples.RayCount[r] > 0)
                {
                    int last = samples.RayStart[r] + samples.RayCount[r] - 1;
                    for (int c = 0; c < 3; c++)
                    {
                        main.DLdColor[(c * count) + last] += rayDLdBackground[(3 * r) + c];
                    }
                }
            }
        }

        double total = DistortionLoss.Forward(rayStart, rayCount, main.Weights, main.SpacingStart, main.SpacingEnd, distortionScale);
        DistortionLoss.Backward(rayStart, rayCount, main.Weights, main.SpacingStart, main.SpacingEnd, distortionScale, main.DLdWeights);
        RenderWeights.Backward(rayStart, rayCount, main.Density, samples.TStart, samples.TEnd, main.Weights, main.DLdWeights, main.DLdDensity);
        for (int k = 0; k < 2; k++)
        {
            NerfactoSampleLevel level = levels[k];
            RaySamples ps = level.Samples;
            ReadOnlySpan<int> pStart = ps.RayStart.AsSpan(a, m), pCount = ps.RayCount.AsSpan(a, m);
            ClearRays(level.DLdWeights, ps, a, b);
            total += InterlevelLoss.Backward(
                rayStart, rayCount, main.SpacingStart, main.SpacingEnd, main.InterlevelTarget,
                pStart, pCount, level.SpacingStart, level.SpacingEnd, level.Weights, interlevelScale, level.DLdWeights);
            RenderWeights.Backward(pStart, pCount, level.Density, ps.TStart, ps.TEnd, level.Weights, level.DLdWeights, level.DLdDensity);
        }

        return total;
    }

    private static void ClearRays(float[] buffer, RaySamples samples, int a, int b)
    {
        for (int r = a; r < b; r++)
        {
            buffer.AsSpan(samples.RayStart[r], samples.RayCount[r]).Clear();
        }
    }

    /// <summary>dL/dorigin and dL/ddirection of rays [a, b) from every stage's dL/dposition and the main field's dL/dview direction.</summary>
    private void RayGradients(RayBatch rays, int start, int a, int b)
    {
        float[] originGradients = rays.OriginGradients!, directionGradients = rays.DirectionGradients!;
        for (int r = a; r < b; r++)
        {
            double gox = 0, goy = 0, goz = 0, gux = 0, guy = 0, guz = 0;
            foreach (NerfactoSampleLevel level in levels)
            {
                RaySamples samples = level.Samples;
                int count = samples.Samples;
                float[] g = level.DLdPositions;
                int end = samples.RayStart[r] + samples.RayCount[r];
                for (int s = samples.RayStart[r]; s < end; s++)
                {
                    double t = 0.5 * ((double)samples.TStart[s] + samples.TEnd[s]);
                    double gx = g[s], gy = g[count + s], gz = g[(2 * count) + s];
                    gox += gx;
                    goy += gy;
                    goz += gz;
                    gux += t * gx;
                    guy += t * gy;
                    guz += t * gz;
                    if (level.DLdDirections.Length > 0)
                    {
                        gux += level.DLdDirections[s];
                        guy += level.DLdDirections[count + s];
                        guz += level.DLdDirections[(2 * count) + s];
                    }
                }
            }

            // u = d / |d|: dL/dd = (I - u u^T) dL/du / |d| (sample distances held fixed).
            int o = 3 * (start + active[r]);
            originGradients[o] = (float)(gox * scale);
            originGradients[o + 1] = (float)(goy * scale);
            originGradients[o + 2] = (float)(goz * scale);
            float norm = Norm[active[r]];
            double ux = Units[3 * r], uy = Units[(3 * r) + 1], uz = Units[(3 * r) + 2];
            double dot = (ux * gux) + (uy * guy) + (uz * guz);
            double inv = norm > 0 ? 1.0 / norm : 0;
            directionGradients[o] = (float)((gux - (ux * dot)) * inv);
            directionGradients[o + 1] = (float)((guy - (uy * dot)) * inv);
            directionGradients[o + 2] = (float)((guz - (uz * dot)) * inv);
        }
    }
}
