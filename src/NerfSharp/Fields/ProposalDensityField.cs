using NerfSharp.Encodings;
using NerfSharp.Modules;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

namespace NerfSharp.Fields;

/// <summary>
/// nerfstudio's <c>HashMLPDensityField</c>, the density-only field of a proposal stage: world position -> scene space
/// (contraction or box) -> small hash grid -> MLP (one hidden ReLU layer, no bias) -> density = trunc_exp(raw), zero
/// outside a bounded space. Positions are feature-major world points [3][n]; backward accumulates the parameter gradients
/// and, when asked, writes dL/dposition.
/// </summary>
public sealed class ProposalDensityField
{
    public ProposalDensityField(HashGridConfig hash, int hiddenWidth, SceneSpace space, ParameterStore store, string prefix, string group)
    {
        Space = space;
        Encoding = new HashGridEncoding(hash, store, $"{prefix}.encoding", group);
        Network = new Mlp(new MlpConfig(Encoding.OutputWidth, [new MlpLayer(hiddenWidth, Activation.Relu), new MlpLayer(1, Activation.None)]), store, $"{prefix}.density_net", group);
    }

    public SceneSpace Space { get; }

    public HashGridEncoding Encoding { get; }

    public Mlp Network { get; }

    public void Initialize(Rng rng)
    {
        Encoding.Initialize(rng);
        Network.Initialize(rng);
    }

    public Context CreateContext(int capacity) => new(this, capacity);

    /// <summary>World positions [3][n] -> density [n]; keeps what <see cref="Backward"/> needs.</summary>
    public void Forward(ReadOnlySpan<float> positions, int n, Span<float> density, Context context)
    {
        context.CheckCount(n);
        context.Count = n;
        positions[..(3 * n)].CopyTo(context.World);
        Span<float> unit = context.Unit.AsSpan(0, 3 * n), inside = context.Inside.AsSpan(0, n), raw = context.Raw.AsSpan(0, n);
        Space.ToUnit(positions, n, unit, inside);
        Span<float> encoded = context.Encoded.AsSpan(0, Encoding.OutputWidth * n);
        Encoding.Forward(unit, n, encoded, context.EncodingContext);
        Network.Forward(encoded, n, raw, context.NetworkContext);
        for (int i = 0; i < n; i++)
        {
            density[i] = inside[i] * MathF.Exp(raw[i]);
        }
    }

    /// <summary>
    /// Accumulates parameter gradients from dL/ddensity [n] of the last <see cref="Forward"/>; when
    /// <paramref name="dLdPositions"/> is non-empty, OVERWRITES it with dL/dposition [3][n].
    /// </summary>
    public void Backward(Context context, ReadOnlySpan<float> dLdDensity, Span<float> dLdPositions)
    {
        int n = context.Count;
        Span<float> raw = context.Raw.AsSpan(0, n), dRaw = context.RawGradient.AsSpan(0, n), inside = context.Inside.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            dRaw[i] = dLdDensity[i] * inside[i] * MathF.Exp(Math.Clamp(raw[i], -Activations.TruncExpClamp, Activations.TruncExpClamp));
        }

        Span<float> dEncoded = context.EncodedGradient.AsSpan(0, Encoding.OutputWidth * n);
        Network.Backward(context.NetworkContext, dRaw, dEncoded);
        if (dLdPositions.IsEmpty)
        {
            Encoding.Backward(context.EncodingContext, dEncoded, []);
            return;
        }

        Span<float> dUnit = context.UnitGradient.AsSpan(0, 3 * n);
        Encoding.Backward(context.EncodingContext, dEncoded, dUnit);
        Space.Backward(context.World.AsSpan(0, 3 * n), n, dUnit, dLdPositions);
    }

    /// <summary>One user's buffers, sized once.</summary>
    public sealed class Context : ModuleContext
    {
        internal Context(ProposalDensityField field, int capacity)
            : base(capacity)
        {
            EncodingContext = field.Encoding.CreateContext(capacity);
            NetworkContext = field.Network.CreateContext(capacity);
            World = new float[3 * capacity];
            Unit = new float[3 * capacity];
            UnitGradient = new float[3 * capacity];
            Inside = new float[capacity];
            Encoded = new float[field.Encoding.OutputWidth * capacity];
            EncodedGradient = new float[field.Encoding.OutputWidth * capacity];
            Raw = new float[capacity];
            RawGradient = new float[capacity];
        }

        internal ModuleContext EncodingContext { get; }

        internal ModuleContext NetworkContext { get; }

        internal float[] World { get; }

        internal float[] Unit { get; }

        internal float[] UnitGradient { get; }

        internal float[] Inside { get; }

        internal float[] Encoded { get; }

        internal float[] EncodedGradient { get; }

        internal float[] Raw { get; }

        internal float[] RawGradient { get; }
    }
}
