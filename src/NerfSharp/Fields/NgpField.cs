using NerfSharp.Encodings;
using NerfSharp.Modules;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

namespace NerfSharp.Fields;

/// <summary>
/// instant-ngp's radiance field: position (normalised to the scene box's [0,1]^3) -> multiresolution hash encoding ->
/// density network (64 wide, 16 outputs): density = trunc_exp(output 0 - 1), outputs 1..15 are geometry features;
/// view direction -> spherical harmonics (degree 4); [geometry features, SH] (31) -> colour network (64, 64) -> sigmoid RGB.
/// Evaluates only; it never samples or renders.
/// <para>Buffers are feature-major with the sample count as stride. The density network's 16 outputs and the 16 SH
/// values sit in one 32-row buffer, so the colour network's input (rows 1..31) is a slice of it: no copy.</para>
/// </summary>
public sealed class NgpField
{
    /// <summary>Offset inside trunc_exp: density = exp(raw - 1) (instant-ngp and torch-ngp start densities below 1).</summary>
    public const float DensityBias = 1f;

    private const int GeometryRows = 16;
    private const int ShRows = 16;

    public NgpField(HashGridConfig hash, SceneBox box, ParameterStore store, string prefix = "field")
    {
        Box = box;
        Encoding = new HashGridEncoding(hash, store, $"{prefix}.encoding", "encoding");
        DensityNet = new Mlp(MlpPresets.NgpDensity(Encoding.OutputWidth), store, $"{prefix}.density_net", "mlp");
        Directions = new SphericalHarmonicsEncoding(4);
        ColorNet = new Mlp(MlpPresets.NgpColor(GeometryRows - 1 + ShRows), store, $"{prefix}.color_net", "mlp");
        if (DensityNet.OutputWidth != GeometryRows || Directions.OutputWidth != ShRows)
        {
            throw new InvalidOperationException("the ngp field expects 16 density-network outputs and 16 SH values");
        }
    }

    public SceneBox Box { get; }

    public HashGridEncoding Encoding { get; }

    public Mlp DensityNet { get; }

    public SphericalHarmonicsEncoding Directions { get; }

    public Mlp ColorNet { get; }

    public void Initialize(Rng rng)
    {
        Encoding.Initialize(rng);
        DensityNet.Initialize(rng);
        ColorNet.Initialize(rng);
    }

    public Context CreateContext(int capacity) => new(this, capacity);

    /// <summary>Density (per world unit) of raw density-network output <paramref name="raw"/>.</summary>
    public static float DensityOf(float raw) => MathF.Exp(raw - DensityBias);

    /// <summary>d density / d raw with trunc_exp's clamped gradient.</summary>
    public static float DensityDerivative(float raw) => MathF.Exp(Math.Clamp(raw - DensityBias, -Activations.TruncExpClamp, Activations.TruncExpClamp));

    /// <summary>
    /// Full query: positions [3][n] in [0,1]^3 (box-normalised) and unit directions [3][n] -> density [n] and rgb [3][n];
    /// saves what <see cref="Backward"/> needs in <paramref name="context"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> unitPositions, ReadOnlySpan<float> directions, int n, Span<float> density, Span<float> rgb, Context context)
    {
        context.CheckCount(n);
        Encoding.Forward(unitPositions[..(3 * n)], n, context.Encoded.AsSpan(0, Encoding.OutputWidth * n), context.EncodingContext);
        ForwardAfterEncoding(directions, n, density, rgb, context);
    }

    /// <summary>
    /// <see cref="Forward"/> on a subset of the points of the context's last <see cref="Density"/> call, reusing their hash
    /// features instead of encoding them again: point j here is point <paramref name="keptFrom"/>[j] there
    /// (strictly increasing), and <paramref name="unitPositions"/> must be those points' positions. Outputs and saved
    /// state are bit-identical to <see cref="Forward"/> on the same points.
    /// </summary>
    public void ForwardFromDensityPass(
        ReadOnlySpan<int> keptFrom, ReadOnlySpan<float> unitPositions, ReadOnlySpan<float> directions, int n, Span<float> density, Span<float> rgb, Context context)
    {
        context.CheckCount(n);
        int source = context.DensityPassCount;
        if (source < n || keptFrom.Length < n)
        {
            throw new ArgumentException($"{n} points cannot be a subset of the last density pass's {source} (keptFrom holds {keptFrom.Length})", nameof(n));
        }

        // Gather the kept columns of each feature row in place, from stride `source` to stride n. Row r is written at
        // [r n + j] from [r source + keptFrom[j]] >= it (keptFrom[j] >= j), so no value is overwritten before it is read.
        float[] encoded = context.Encoded;
        int previous = -1;
        for (int j = 0; j < n; j++)
        {
            if (keptFrom[j] <= previous || keptFrom[j] >= source)
            {
                throw new ArgumentException("keptFrom must be strictly increasing indices of the density pass's points", nameof(keptFrom));
            }

            previous = keptFrom[j];
        }

        for (int row = 0; row < Encoding.OutputWidth; row++)
        {
            int from = row * source, to = row * n;
            for (int j = 0; j < n; j++)
            {
                encoded[to + j] = encoded[from + keptFrom[j]];
            }
        }

        context.DensityPassCount = 0;
        Encoding.SaveInputs(unitPositions[..(3 * n)], n, context.EncodingContext);
        ForwardAfterEncoding(directions, n, density, rgb, context);
    }

    /// <summary>The rest of <see cref="Forward"/> once context.Encoded holds the n points' features.</summary>
    private void ForwardAfterEncoding(ReadOnlySpan<float> directions, int n, Span<float> density, Span<float> rgb, Context context)
    {
        context.Count = n;
        context.DensityPassCount = 0;
        Span<float> encoded = context.Encoded.AsSpan(0, Encoding.OutputWidth * n);
        Span<float> geo = context.Geometry.AsSpan(0, (GeometryRows + ShRows) * n);
        DensityNet.Forward(encoded, n, geo[..(GeometryRows * n)], context.DensityContext);
        Directions.Forward(directions[..(3 * n)], n, geo.Slice(GeometryRows * n, ShRows * n), context.DirectionContext);
        for (int i = 0; i < n; i++)
        {
            density[i] = DensityOf(geo[i]);
        }

        ColorNet.Forward(geo.Slice(n, (GeometryRows - 1 + ShRows) * n), n, rgb[..(3 * n)], context.ColorContext);
    }

    /// <summary>
    /// Density only (the colour network is skipped): positions [3][n] in [0,1]^3 -> density [n]. No backward; the points'
    /// hash features stay in the context for <see cref="ForwardFromDensityPass"/>.
    /// </summary>
    public void Density(ReadOnlySpan<float> unitPositions, int n, Span<float> density, Context context)
    {
        context.CheckCount(n);
        Span<float> encoded = context.Encoded.AsSpan(0, Encoding.OutputWidth * n);
        Span<float> geo = context.Geometry.AsSpan(0, GeometryRows * n);
        Encoding.Forward(unitPositions[..(3 * n)], n, encoded, context.EncodingContext);
        DensityNet.Forward(encoded, n, geo, context.DensityContext);
        for (int i = 0; i < n; i++)
        {
            density[i] = DensityOf(geo[i]);
        }

        context.DensityPassCount = n;
    }

    /// <summary>
    /// Accumulates parameter gradients from dL/ddensity [n] and dL/drgb [3][n] of the context's last <see cref="Forward"/>.
    /// When non-empty, <paramref name="dLdPositions"/> and <paramref name="dLdDirections"/> ([3][n] each) are overwritten with
    /// dL/d(box-normalised position) and dL/d(direction) (pose refinement); empty spans cost nothing.
    /// </summary>
    public void Backward(Context context, ReadOnlySpan<float> dLdDensity, ReadOnlySpan<float> dLdRgb, Models.NgpPhaseTimes? times = null, Span<float> dLdPositions = default, Span<float> dLdDirections = default)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        int n = context.Count;
        Span<float> geo = context.Geometry.AsSpan(0, (GeometryRows + ShRows) * n);
        Span<float> dGeo = context.GeometryGradient.AsSpan(0, (GeometryRows + ShRows) * n);

        // The colour network writes dL/d(rows 1..31); rows 16..31 (SH) go on to the directions only when asked for.
        ColorNet.Backward(context.ColorContext, dLdRgb[..(3 * n)], dGeo.Slice(n, (GeometryRows - 1 + ShRows) * n));
        long t1 = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++)
        {
            dGeo[i] = dLdDensity[i] * DensityDerivative(geo[i]);
        }

        Span<float> dEncoded = context.EncodedGradient.AsSpan(0, Encoding.OutputWidth * n);
        DensityNet.Backward(context.DensityContext, dGeo[..(GeometryRows * n)], dEncoded);
        long t2 = System.Diagnostics.Stopwatch.GetTimestamp();
        Encoding.Backward(context.EncodingContext, dEncoded, dLdPositions);
        if (!dLdDirections.IsEmpty)
        {
            Directions.Backward(context.DirectionContext, dGeo.Slice(GeometryRows * n, ShRows * n), dLdDirections[..(3 * n)]);
        }

        if (times != null)
        {
            double f = System.Diagnostics.Stopwatch.Frequency;
            times.ColorBackward += (t1 - t0) / f;
            times.DensityBackward += (t2 - t1) / f;
            times.EncodingBackward += (System.Diagnostics.Stopwatch.GetTimestamp() - t2) / f;
        }
    }

    /// <summary>A density query on world-space points (for the occupancy grid and mesh export) with its own buffers.</summary>
    public IDensityField CreateDensityQuery(int capacity) => new DensityQuery(this, capacity);

    /// <summary>A density and colour query on world-space points (for mesh vertex colours) with its own buffers.</summary>
    public IRadianceField CreateRadianceQuery(int capacity) => new RadianceQuery(this, capacity);

    /// <summary>One user's buffers: the modules' contexts and the intermediate rows, sized once.</summary>
    public sealed class Context : ModuleContext
    {
        internal Context(NgpField field, int capacity)
            : base(capacity)
        {
            EncodingContext = field.Encoding.CreateContext(capacity);
            DensityContext = field.DensityNet.CreateContext(capacity);
            DirectionContext = field.Directions.CreateContext(capacity);
            ColorContext = field.ColorNet.CreateContext(capacity);
            Encoded = new float[field.Encoding.OutputWidth * capacity];
            EncodedGradient = new float[field.Encoding.OutputWidth * capacity];
            Geometry = new float[(GeometryRows + ShRows) * capacity];
            GeometryGradient = new float[(GeometryRows + ShRows) * capacity];
        }

        internal ModuleContext EncodingContext { get; }

        internal ModuleContext DensityContext { get; }

        internal ModuleContext DirectionContext { get; }

        internal ModuleContext ColorContext { get; }

        internal float[] Encoded { get; }

        internal float[] EncodedGradient { get; }

        internal float[] Geometry { get; }

        internal float[] GeometryGradient { get; }

        /// <summary>Points of the last <see cref="Density"/> call whose features <see cref="Encoded"/> still holds (0 = none).</summary>
        internal int DensityPassCount { get; set; }
    }

    /// <summary>World points [start, start + n) of AoS <paramref name="positions"/> as box-unit columns [3][n] in <paramref name="unit"/>.</summary>
    private static void ToUnitColumns(SceneBox box, ReadOnlySpan<float> positions, int start, int n, float[] unit)
    {
        for (int i = 0; i < n; i++)
        {
            int p = 3 * (start + i);
            var (u, v, w) = box.ToUnit(positions[p], positions[p + 1], positions[p + 2]);
            unit[i] = u;
            unit[n + i] = v;
            unit[(2 * n) + i] = w;
        }
    }

    private sealed class DensityQuery : IDensityField
    {
        private readonly NgpField field;
        private readonly Context context;
        private readonly float[] unit;
        private readonly float[] density;

        public DensityQuery(NgpField field, int capacity)
        {
            this.field = field;
            context = field.CreateContext(capacity);
            unit = new float[3 * capacity];
            density = new float[capacity];
        }

        public void QueryDensity(ReadOnlySpan<float> positions, int count, Span<float> output)
        {
            SceneBox box = field.Box;
            for (int start = 0; start < count; start += context.Capacity)
            {
                int n = Math.Min(context.Capacity, count - start);
                ToUnitColumns(box, positions, start, n, unit);
                field.Density(unit, n, density, context);
                for (int i = 0; i < n; i++)
                {
                    int p = 3 * (start + i);
                    output[start + i] = box.Contains(positions[p], positions[p + 1], positions[p + 2]) ? density[i] : 0f;
                }
            }
        }
    }

    private sealed class RadianceQuery : IRadianceField
    {
        private readonly NgpField field;
        private readonly Context context;
        private readonly float[] unit;
        private readonly float[] directions;
        private readonly float[] density;
        private readonly float[] rgb;
        private readonly DensityQuery densityOnly;

        public RadianceQuery(NgpField field, int capacity)
        {
            this.field = field;
            context = field.CreateContext(capacity);
            unit = new float[3 * capacity];
            directions = new float[3 * capacity];
            density = new float[capacity];
            rgb = new float[3 * capacity];
            densityOnly = new DensityQuery(field, capacity);
        }

        public void QueryDensity(ReadOnlySpan<float> positions, int count, Span<float> output) => densityOnly.QueryDensity(positions, count, output);

        public void QueryRadiance(ReadOnlySpan<float> positions, ReadOnlySpan<float> dirs, int count, Span<float> densityOut, Span<float> rgbOut)
        {
            SceneBox box = field.Box;
            for (int start = 0; start < count; start += context.Capacity)
            {
                int n = Math.Min(context.Capacity, count - start);
                ToUnitColumns(box, positions, start, n, unit);
                for (int i = 0; i < n; i++)
                {
                    int p = 3 * (start + i);
                    directions[i] = dirs[p];
                    directions[n + i] = dirs[p + 1];
                    directions[(2 * n) + i] = dirs[p + 2];
                }

                field.Forward(unit, directions, n, density, rgb, context);
                for (int i = 0; i < n; i++)
                {
                    int p = 3 * (start + i);
                    densityOut[start + i] = box.Contains(positions[p], positions[p + 1], positions[p + 2]) ? density[i] : 0f;
                    rgbOut[p] = rgb[i];
                    rgbOut[p + 1] = rgb[n + i];
                    rgbOut[p + 2] = rgb[(2 * n) + i];
                }
            }
        }
    }
}
