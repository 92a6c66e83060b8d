using NerfSharp.Encodings;
using NerfSharp.Modules;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

namespace NerfSharp.Fields;

/// <summary>
/// The input stage of nerfacto's hash-grid fields: world positions [3][n] -> scene space (contraction or box, with the
/// inside mask) -> hash-grid features. Backward takes dL/dfeatures to the grid's parameters and, when asked, to
/// dL/dposition through the scene space.
/// </summary>
public sealed class SceneEncoding
{
    public SceneEncoding(HashGridConfig hash, SceneSpace space, ParameterStore store, string name, string group)
    {
        Space = space;
        Encoding = new HashGridEncoding(hash, store, name, group);
    }

    public SceneSpace Space { get; }

    public HashGridEncoding Encoding { get; }

    public int OutputWidth => Encoding.OutputWidth;

    public Context CreateContext(int capacity) => new(this, capacity);

    /// <summary>Features [width][n] of world positions [3][n] (the context's <see cref="Context.Encoded"/>); keeps what backward needs.</summary>
    public Span<float> Forward(ReadOnlySpan<float> positions, int n, Context context)
    {
        positions[..(3 * n)].CopyTo(context.World);
        Span<float> unit = context.Unit.AsSpan(0, 3 * n);
        Space.ToUnit(positions, n, unit, context.Inside.AsSpan(0, n));
        Span<float> encoded = context.Encoded.AsSpan(0, OutputWidth * n);
        Encoding.Forward(unit, n, encoded, context.EncodingContext);
        return encoded;
    }

    /// <summary>
    /// Accumulates the grid's parameter gradients from dL/dfeatures (the context's <see cref="Context.EncodedGradient"/>,
    /// n points of the last forward); when <paramref name="dLdPositions"/> is non-empty, OVERWRITES it with dL/dposition [3][n].
    /// </summary>
    public void Backward(Context context, int n, Span<float> dLdPositions)
    {
        ReadOnlySpan<float> dEncoded = context.EncodedGradient.AsSpan(0, OutputWidth * n);
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
    public sealed class Context
    {
        internal Context(SceneEncoding stage, int capacity)
        {
            EncodingContext = stage.Encoding.CreateContext(capacity);
            World = new float[3 * capacity];
            Unit = new float[3 * capacity];
            UnitGradient = new float[3 * capacity];
            Inside = new float[capacity];
            Encoded = new float[stage.OutputWidth * capacity];
            EncodedGradient = new float[stage.OutputWidth * capacity];
        }

        internal ModuleContext EncodingContext { get; }

        internal float[] World { get; }

        internal float[] Unit { get; }

        internal float[] UnitGradient { get; }

        /// <summary>1 where the last forward's point can hold density, 0 outside a bounded space.</summary>
        internal float[] Inside { get; }

        internal float[] Encoded { get; }

        /// <summary>dL/dfeatures, filled by the field before <see cref="Backward"/>.</summary>
        internal float[] EncodedGradient { get; }
    }
}
