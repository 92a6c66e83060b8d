namespace NerfSharp.Tests.Rendering;

/// <summary>
/// A packed ragged scene for <see cref="NerfSharp.Rendering.RenderWeights"/> and
/// <see cref="NerfSharp.Rendering.RayAccumulation"/>: float inputs (sigma, tStart/tEnd, SoA colour with a stride
/// larger than the samples, per-ray background) with unused slots between rays, random loss weights, and a
/// double-precision reference of the whole chain sigma, colour -> weights -> rgb (+ background), depth, opacity
/// -> scalar loss L = r_rgb . rgb + r_depth . depth + r_acc . acc + sum_s q_s w_s (the last term stands for any
/// loss on the weights). Named rays: two without samples, an opaque one, one with a single sample.
/// </summary>
internal sealed class PackedRenderScene
{
    public const int FirstEmptyRay = 0;
    public const int OpaqueRay = 2;
    public const int SingleSampleRay = 3;
    public const int SecondEmptyRay = 4;

    private static readonly int[] Counts = [0, 8, 6, 1, 0, 20, 3, 11];

    public PackedRenderScene(int seed, double opaqueSigma = 80)
    {
        var rng = new Random(seed);
        int rays = Counts.Length;
        RayStart = new int[rays];
        RayCount = (int[])Counts.Clone();
        int next = 1;
        for (int r = 0; r < rays; r++)
        {
            next += r % 2; // unused slots between some rays
            RayStart[r] = next;
            next += RayCount[r];
        }

        Samples = next + 2;
        ColorStride = Samples + 5;
        Sigma = new float[Samples];
        TStart = new float[Samples];
        TEnd = new float[Samples];
        Color = new float[3 * ColorStride];
        Owned = new bool[Samples];
        for (int r = 0; r < rays; r++)
        {
            float t = (float)(2 + rng.NextDouble());
            for (int k = 0; k < RayCount[r]; k++)
            {
                int s = RayStart[r] + k;
                Owned[s] = true;
                TStart[s] = t;
                t += (float)(0.05 + (0.25 * rng.NextDouble()));
                TEnd[s] = t;
                if (k % 4 == 3)
                {
                    t += 0.1f; // a gap between samples, as after occupancy-grid skipping
                }

                Sigma[s] = (float)(r == OpaqueRay ? opaqueSigma * (0.5 + rng.NextDouble()) : 3 * rng.NextDouble());
            }
        }

        for (int i = 0; i < Color.Length; i++)
        {
            Color[i] = (float)rng.NextDouble();
        }

        Background = new float[3 * rays];
        DLdRgb = new float[3 * rays];
        for (int i = 0; i < Background.Length; i++)
        {
            Background[i] = (float)rng.NextDouble();
            DLdRgb[i] = (float)((2 * rng.NextDouble()) - 1);
        }

        DLdDepth = new float[rays];
        DLdAccumulation = new float[rays];
        for (int r = 0; r < rays; r++)
        {
            DLdDepth[r] = (float)((2 * rng.NextDouble()) - 1);
            DLdAccumulation[r] = (float)((2 * rng.NextDouble()) - 1);
        }

        WeightLoss = new float[Samples];
        for (int s = 0; s < Samples; s++)
        {
            WeightLoss[s] = (float)((2 * rng.NextDouble()) - 1);
        }
    }

    public int Rays => RayStart.Length;

    public int Samples { get; }

    public int ColorStride { get; }

    public int[] RayStart { get; }

    public int[] RayCount { get; }

    public bool[] Owned { get; }

    public float[] Sigma { get; }

    public float[] TStart { get; }

    public float[] TEnd { get; }

    public float[] Color { get; }

    public float[] Background { get; }

    public float[] DLdRgb { get; }

    public float[] DLdDepth { get; }

    public float[] DLdAccumulation { get; }

    /// <summary>q_s: L contains sum_s q_s w_s.</summary>
    public float[] WeightLoss { get; }

    /// <summary>Double reference: weights w_i = T_i (1 - exp(-sigma_i delta_i)), T_i = prod_(j&lt;i) exp(-sigma_j delta_j).</summary>
    public (double[] Weights, double[] Transmittance) ReferenceWeights(double[] sigma)
    {
        var w = new double[Samples];
        var trans = new double[Samples];
        for (int r = 0; r < Rays; r++)
        {
            double t = 1;
            for (int s = RayStart[r]; s < RayStart[r] + RayCount[r]; s++)
            {
                double alpha = 1 - Math.Exp(-sigma[s] * ((double)TEnd[s] - TStart[s]));
                trans[s] = t;
                w[s] = t * alpha;
                t *= 1 - alpha;
            }
        }

        return (w, trans);
    }

    /// <summary>Double reference of the per-ray outputs: rgb [rays][3] with background, depth (sum w t_mid), opacity.</summary>
    public (double[] Rgb, double[] Depth, double[] Accumulation) ReferenceRender(double[] sigma, double[] color, double[] background)
    {
        var (w, _) = ReferenceWeights(sigma);
        var rgb = new double[3 * Rays];
        var depth = new double[Rays];
        var acc = new double[Rays];
        for (int r = 0; r < Rays; r++)
        {
            for (int s = RayStart[r]; s < RayStart[r] + RayCount[r]; s++)
            {
                for (int c = 0; c < 3; c++)
                {
                    rgb[(3 * r) + c] += w[s] * color[(c * ColorStride) + s];
                }

                depth[r] += w[s] * 0.5 * ((double)TStart[s] + TEnd[s]);
                acc[r] += w[s];
            }

            for (int c = 0; c < 3; c++)
            {
                rgb[(3 * r) + c] += (1 - acc[r]) * background[(3 * r) + c];
            }
        }

        return (rgb, depth, acc);
    }

    /// <summary>The scalar loss of the reference chain; <paramref name="withWeightLoss"/> adds sum_s q_s w_s.</summary>
    public double ReferenceLoss(double[] sigma, double[] color, double[] background, bool withWeightLoss)
    {
        var (rgb, depth, acc) = ReferenceRender(sigma, color, background);
        double loss = 0;
        for (int i = 0; i < rgb.Length; i++)
        {
            loss += DLdRgb[i] * rgb[i];
        }

        for (int r = 0; r < Rays; r++)
        {
            loss += (DLdDepth[r] * depth[r]) + (DLdAccumulation[r] * acc[r]);
        }

        if (withWeightLoss)
        {
            var (w, _) = ReferenceWeights(sigma);
            for (int s = 0; s < Samples; s++)
            {
                loss += Owned[s] ? WeightLoss[s] * w[s] : 0;
            }
        }

        return loss;
    }
}
