using NerfSharp.Encodings;
using NerfSharp.Modules;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

namespace NerfSharp.Fields;

/// <summary>
/// nerfstudio's <c>NerfactoField</c> (without the optional heads): world position -> scene space (contraction or box) ->
/// hash grid -> density network (64 wide, 1 + <see cref="GeometryFeatures"/> outputs; density = trunc_exp(output 0), zero
/// outside a bounded space); [geometry features, SH(view direction, degree 4), appearance embedding of the sample's image]
/// -> colour network (64, 64) -> sigmoid RGB. The appearance embedding is one trainable vector per training image.
/// <para>Buffers are feature-major with the sample count as stride; the density outputs, SH values and embedding rows
/// sit in one buffer so the colour network reads a slice of it (no copy).</para>
/// </summary>
public sealed class NerfactoField
{
    /// <summary>nerfstudio's geo_feat_dim.</summary>
    public const int GeometryFeatures = 15;

    private const int DensityRows = GeometryFeatures + 1;
    private const int ShRows = 16;

    public NerfactoField(HashGridConfig hash, SceneSpace space, int images, int appearanceWidth, int hiddenWidth, ParameterStore store, string prefix, string group)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(images);
        ArgumentOutOfRangeException.ThrowIfNegative(appearanceWidth);
        Images = images;
        AppearanceWidth = appearanceWidth;
        Input = new SceneEncoding(hash, space, store, $"{prefix}.encoding", group);
        DensityNet = new Mlp(new MlpConfig(Input.OutputWidth, [new MlpLayer(hiddenWidth, Activation.Relu), new MlpLayer(DensityRows, Activation.None)]), store, $"{prefix}.density_net", group);
        Directions = new SphericalHarmonicsEncoding(4);
        Appearance = store.Add($"{prefix}.appearance_embedding", [images, Math.Max(1, appearanceWidth)], group);
        ColorNet = new Mlp(
            new MlpConfig(GeometryFeatures + ShRows + appearanceWidth, [new MlpLayer(hiddenWidth, Activation.Relu), new MlpLayer(hiddenWidth, Activation.Relu), new MlpLayer(3, Activation.Sigmoid)]),
            store,
            $"{prefix}.color_net",
            group);
    }

    /// <summary>World position -> scene space -> hash-grid features.</summary>
    public SceneEncoding Input { get; }

    public SceneSpace Space => Input.Space;

    /// <summary>Training images (rows of the appearance embedding).</summary>
    public int Images { get; }

    public int AppearanceWidth { get; }

    public HashGridEncoding Encoding => Input.Encoding;

    public Mlp DensityNet { get; }

    public SphericalHarmonicsEncoding Directions { get; }

    /// <summary>The appearance embedding [images, width] (nerfstudio's torch.nn.Embedding).</summary>
    public ParameterTensor Appearance { get; }

    public Mlp ColorNet { get; }

    private int Rows => DensityRows + ShRows + AppearanceWidth;

    /// <summary>Hash grid and MLPs as their modules initialise; the appearance embedding N(0, 1) (torch.nn.Embedding).</summary>
    public void Initialize(Rng rng, ParameterStore store)
    {
        Encoding.Initialize(rng);
        DensityNet.Initialize(rng);
        ColorNet.Initialize(rng);
        Span<float> a = store.ValuesOf(Appearance);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = rng.NextGaussian();
        }
    }

    public Context CreateContext(int capacity) => new(this, capacity);

    /// <summary>The mean of the training images' embeddings into <paramref name="mean"/> (nerfstudio's eval default).</summary>
    public void MeanAppearance(ParameterStore store, Span<float> mean)
    {
        ReadOnlySpan<float> a = store.ValuesOf(Appearance);
        for (int d = 0; d < AppearanceWidth; d++)
        {
            double sum = 0;
            for (int i = 0; i < Images; i++)
            {
                sum += a[(i * AppearanceWidth) + d];
            }

            mean[d] = (float)(sum / Images);
        }
    }

    /// <summary>
    /// World positions [3][n], unit view directions [3][n] and each sample's image (an embedding row; -1: use
    /// <paramref name="fallbackEmbedding"/>) -> density [n] and rgb [3][n]; keeps what <see cref="Backward"/> needs.
    /// </summary>
    public void Forward(
        ParameterStore store,
        ReadOnlySpan<float> positions,
        ReadOnlySpan<float> directions,
        ReadOnlySpan<int> sampleImage,
        ReadOnlySpan<float> fallbackEmbedding,
        int n,
        Span<float> density,
        Span<float> rgb,
        Context context)
    {
        context.CheckCount(n);
        context.Count = n;
        sampleImage[..n].CopyTo(context.SampleImage);
        Span<float> encoded = Input.Forward(positions, n, context.InputContext);
        Span<float> inside = context.InputContext.Inside.AsSpan(0, n);
        Span<float> rows = context.Features.AsSpan(0, Rows * n);
        DensityNet.Forward(encoded, n, rows[..(DensityRows * n)], context.DensityContext);
        Directions.Forward(directions[..(3 * n)], n, rows.Slice(DensityRows * n, ShRows * n), context.DirectionContext);
        ReadOnlySpan<float> table = store.ValuesOf(Appearance);
        int w = AppearanceWidth, first = (DensityRows + ShRows) * n;
        for (int i = 0; i < n; i++)
        {
            int image = sampleImage[i];
            ReadOnlySpan<float> e = image >= 0 ? table.Slice(image * w, w) : fallbackEmbedding;
            for (int d = 0; d < w; d++)
            {
                rows[first + (d * n) + i] = e[d];
            }
        }

        for (int i = 0; i < n; i++)
        {
            density[i] = inside[i] * MathF.Exp(rows[i]);
        }

        ColorNet.Forward(rows.Slice(n, (Rows - 1) * n), n, rgb[..(3 * n)], context.ColorContext);
    }

    /// <summary>
    /// Density only (hash grid and density network, no colour): positions [3][n] -> density [n]. For queries that need
    /// no gradient (the occupancy grid, export); leaves the context unfit for <see cref="Backward"/>.
    /// </summary>
    public void ForwardDensity(ReadOnlySpan<float> positions, int n, Span<float> density, Context context)
    {
        context.CheckCount(n);
        context.Count = 0;
        Span<float> encoded = Input.Forward(positions, n, context.InputContext);
        Span<float> inside = context.InputContext.Inside.AsSpan(0, n);
        Span<float> rows = context.Features.AsSpan(0, DensityRows * n);
        DensityNet.Forward(encoded, n, rows, context.DensityContext);
        for (int i = 0; i < n; i++)
        {
            density[i] = inside[i] * MathF.Exp(rows[i]);
        }
    }

    /// <summary>
    /// Accumulates parameter gradients (hash grid, MLPs, the embedding rows of the samples' images) from dL/ddensity [n]
    /// and dL/drgb [3][n] of the last <see cref="Forward"/>. When <paramref name="dLdPositions"/> and
    /// <paramref name="dLdDirections"/> are non-empty, OVERWRITES them with dL/dposition [3][n] and dL/ddirection [3][n].
    /// </summary>
    public void Backward(ParameterStore store, Context context, ReadOnlySpan<float> dLdDensity, ReadOnlySpan<float> dLdRgb, Span<float> dLdPositions, Span<float> dLdDirections)
    {
        int n = context.Count;
        Span<float> rows = context.Features.AsSpan(0, Rows * n);
        Span<float> dRows = context.FeatureGradient.AsSpan(0, Rows * n);
        ColorNet.Backward(context.ColorContext, dLdRgb[..(3 * n)], dRows.Slice(n, (Rows - 1) * n));
        Span<float> inside = context.InputContext.Inside.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            dRows[i] = dLdDensity[i] * inside[i] * MathF.Exp(Math.Clamp(rows[i], -Activations.TruncExpClamp, Activations.TruncExpClamp));
        }

        // Embedding rows: scatter in sample order (deterministic).
        Span<float> grad = store.GradientsOf(Appearance);
        int w = AppearanceWidth, first = (DensityRows + ShRows) * n;
        ReadOnlySpan<int> sampleImage = context.SampleImage.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            int image = sampleImage[i];
            if (image < 0)
            {
                continue;
            }

            Span<float> g = grad.Slice(image * w, w);
            for (int d = 0; d < w; d++)
            {
                g[d] += dRows[first + (d * n) + i];
            }
        }

        DensityNet.Backward(context.DensityContext, dRows[..(DensityRows * n)], context.InputContext.EncodedGradient.AsSpan(0, Input.OutputWidth * n));
        Input.Backward(context.InputContext, n, dLdPositions);
        if (dLdPositions.IsEmpty)
        {
            return;
        }

        Directions.Backward(context.DirectionContext, dRows.Slice(DensityRows * n, ShRows * n), dLdDirections[..(3 * n)]);
    }

    /// <summary>One user's buffers: the modules' contexts and the intermediate rows, sized once.</summary>
    public sealed class Context : ModuleContext
    {
        internal Context(NerfactoField field, int capacity)
            : base(capacity)
        {
            InputContext = field.Input.CreateContext(capacity);
            DensityContext = field.DensityNet.CreateContext(capacity);
            DirectionContext = field.Directions.CreateContext(capacity);
            ColorContext = field.ColorNet.CreateContext(capacity);
            SampleImage = new int[capacity];
            Features = new float[field.Rows * capacity];
            FeatureGradient = new float[field.Rows * capacity];
        }

        internal SceneEncoding.Context InputContext { get; }

        internal ModuleContext DensityContext { get; }

        internal ModuleContext DirectionContext { get; }

        internal ModuleContext ColorContext { get; }

        internal int[] SampleImage { get; }

        internal float[] Features { get; }

        internal float[] FeatureGradient { get; }
    }
}
