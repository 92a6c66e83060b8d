namespace NerfSharp.Tests.Rendering;

/// <summary>
/// A packed ragged test scene in double precision: per-ray sample ranges (with gaps between rays and a
/// colour stride larger than the sample count), ascending t, deltas as nerf-pytorch forms them (last = 1e10 |d|),
/// densities, SoA colours, and per-ray loss weights. Named rays: <see cref="EmptyRay"/> (no samples),
/// <see cref="ZeroDensityRay"/>, <see cref="OpaqueRay"/> (one sample with alpha = 1 exactly) and
/// <see cref="DenseRay"/> (transmittance falls to ~1e-9 within a few samples).
/// </summary>
internal sealed class PackedScene
{
    public const int EmptyRay = 1;
    public const int ZeroDensityRay = 0;
    public const int OpaqueRay = 3;
    public const int DenseRay = 4;

    private static readonly int[] Counts = [6, 0, 12, 9, 8, 1, 16, 5];

    public PackedScene(int seed, bool withBackground, bool withDepthAndAcc, bool withRgbGradient = true)
    {
        var rng = new Random(seed);
        int rays = Counts.Length;
        RayStart = new int[rays];
        RayCount = (int[])Counts.Clone();
        int next = 0;
        for (int r = 0; r < rays; r++)
        {
            next += r % 3; // unused slots between some rays
            RayStart[r] = next;
            next += RayCount[r];
        }

        SampleCapacity = next + 2;
        ColorStride = SampleCapacity + 3;
        Density = new double[SampleCapacity];
        Delta = new double[SampleCapacity];
        T = new double[SampleCapacity];
        Color = new double[3 * ColorStride];
        for (int r = 0; r < rays; r++)
        {
            double norm = 0.7 + rng.NextDouble();
            double z = 2 + rng.NextDouble();
            for (int k = 0; k < RayCount[r]; k++)
            {
                int s = RayStart[r] + k;
                T[s] = z;
                z += 0.05 + (0.3 * rng.NextDouble());
                Delta[s] = k == RayCount[r] - 1 ? 1e10 * norm : (z - T[s]) * norm;
                Density[s] = r switch
                {
                    ZeroDensityRay => 0,
                    OpaqueRay => k == 2 ? 1e4 : 2 * rng.NextDouble(),
                    DenseRay => k >= 2 ? 40 + (10 * rng.NextDouble()) : rng.NextDouble(),
                    _ => 3 * rng.NextDouble(),
                };
                for (int c = 0; c < 3; c++)
                {
                    Color[(c * ColorStride) + s] = rng.NextDouble();
                }
            }
        }

        Background = withBackground ? (0.9, 0.4, 0.7) : (0, 0, 0);
        DLdRgb = withRgbGradient ? Random(rng, 3 * rays) : [];
        DLdDepth = withDepthAndAcc ? Random(rng, rays) : [];
        DLdAccumulation = withDepthAndAcc ? Random(rng, rays) : [];
    }

    public int[] RayStart { get; }

    public int[] RayCount { get; }

    public int Rays => RayStart.Length;

    public int SampleCapacity { get; }

    public int ColorStride { get; }

    public double[] Density { get; }

    public double[] Delta { get; }

    public double[] T { get; }

    public double[] Color { get; }

    public (double R, double G, double B) Background { get; }

    public double[] DLdRgb { get; }

    public double[] DLdDepth { get; }

    public double[] DLdAccumulation { get; }

    /// <summary>The sample whose density finite differences cannot probe: the last (1e10-long) interval of the zero-density ray.</summary>
    public bool IsUnprobeable(int sample) =>
        sample == RayStart[ZeroDensityRay] + RayCount[ZeroDensityRay] - 1;

    public bool IsOwned(int sample)
    {
        for (int r = 0; r < Rays; r++)
        {
            if (sample >= RayStart[r] && sample < RayStart[r] + RayCount[r])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>L = dLdRgb . rgb + dLdDepth . depth + dLdAcc . acc, rendered by the double reference.</summary>
    public double Loss(double[] density, double[] color)
    {
        var (rgb, depth, acc, _, _) = RenderReference(density, color);
        return Dot(DLdRgb, rgb) + Dot(DLdDepth, depth) + Dot(DLdAccumulation, acc);
    }

    public (double[] Rgb, double[] Depth, double[] Acc, double[] Disp, double[] Weights) RenderReference(double[] density, double[] color)
    {
        var rgb = new double[3 * Rays];
        var depth = new double[Rays];
        var acc = new double[Rays];
        var disp = new double[Rays];
        var weights = new double[SampleCapacity];
        NerfSharp.Rendering.VolumeRendererReference.Forward(RayStart, RayCount, density, Delta, T, color, ColorStride, Background, rgb, depth, acc, disp, weights);
        return (rgb, depth, acc, disp, weights);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static double[] Random(Random rng, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (rng.NextDouble() * 2) - 1;
        }

        return v;
    }
}
