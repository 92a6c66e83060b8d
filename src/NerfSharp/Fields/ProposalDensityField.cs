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
        Input = new SceneEncoding(hash, space, store, $"{prefix}.encoding", group);
        Network = new Mlp(new MlpConfig(Input.OutputWidth, [new MlpLayer(hiddenWidth, Activation.Relu), new MlpLayer(1, Activation.None)]), store, $"{prefix}.density_net", group);
    }

    /// <summary>World position -> scene space -> hash-grid features.</summary>
    public SceneEncoding Input { get; }

    public SceneSpace Space => Input.Space;

    public HashGridEncoding Encoding => Input.Encoding;

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
        Span<float> encoded = Input.Forward(positions, n, context.InputContext);
        Span<float> inside = context.InputContext.Inside.AsSpan(0, n), raw = context.Raw.AsSpan(0, n);
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
        Span<float> raw = context.Raw.AsSpan(0, n), dRaw = context.RawGradient.AsSpan(0, n), inside = context.InputContext.Inside.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            dRaw[i] = dLdDensity[i] * inside[i] * MathF.Exp(Math.Clamp(raw[i], -Activations.TruncExpClamp, Activations.TruncExpClamp));
        }

        Network.Backward(context.NetworkContext, dRaw, context.InputContext.EncodedGradient.AsSpan(0, Input.OutputWidth * n));
        Input.Backward(context.InputContext, n, dLdPositions);
    }

    /// <summary>One user's buffers, sized once.</summary>
    public sealed class Context : ModuleContext
    {
        internal Context(ProposalDensityField field, int capacity)
            : base(capacity)
        {
            InputContext = field.Input.CreateContext(capacity);
            NetworkContext = field.Network.CreateContext(capacity);
            Raw = new float[capacity];
            RawGradient = new float[capacity];
        }

        internal SceneEncoding.Context InputContext { get; }

        internal ModuleContext NetworkContext { get; }

        internal float[] Raw { get; }

        internal float[] RawGradient { get; }
    }
}
