using NerfSharp.Numerics;

namespace NerfSharp.Modules;

/// <summary>
/// tiny-cuda-nn's contract for encodings and networks. A module maps <see cref="InputWidth"/> features per item to
/// <see cref="OutputWidth"/> features per item and owns a slice of one flat parameter/gradient buffer
/// (a <see cref="Parameters.ParameterStore"/>).
/// <para>Layout: inputs, outputs and their gradients are feature-major with the item count as stride:
/// feature f of item i at buffer[f * count + i].</para>
/// <para><see cref="Forward"/> saves what <see cref="Backward"/> needs in the context (one context per concurrent user:
/// training and rendering each have their own). <see cref="Backward"/> ACCUMULATES parameter gradients into the
/// store's gradient buffer and OVERWRITES dL/dinput when <c>dLdInput</c> is non-empty (empty: not needed, not computed).</para>
/// </summary>
public interface IDifferentiableModule
{
    int InputWidth { get; }

    int OutputWidth { get; }

    /// <summary>Trainable floats this module owns in its parameter store.</summary>
    int ParameterCount { get; }

    /// <summary>Initialises this module's parameters (its slice of the store) from <paramref name="rng"/>.</summary>
    void Initialize(Rng rng);

    /// <summary>Buffers for up to <paramref name="capacity"/> items per call, allocated once and reused.</summary>
    ModuleContext CreateContext(int capacity);

    /// <summary>input [InputWidth][count] -> output [OutputWidth][count]; saves what backward needs in the context.</summary>
    void Forward(ReadOnlySpan<float> input, int count, Span<float> output, ModuleContext context);

    /// <summary>
    /// dLdOutput [OutputWidth][count] of the context's last forward -> parameter gradients (accumulated) and, when
    /// <paramref name="dLdInput"/> is non-empty, dL/dinput [InputWidth][count] (overwritten).
    /// </summary>
    void Backward(ModuleContext context, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput);
}

/// <summary>
/// What one user of a module keeps between forward and backward. Each module derives its own type;
/// <see cref="Count"/> is the item count of the last forward.
/// </summary>
public abstract class ModuleContext
{
    protected ModuleContext(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>Most items one call may pass.</summary>
    public int Capacity { get; }

    /// <summary>Items of the last forward.</summary>
    public int Count { get; protected internal set; }

    /// <summary>Throws unless <paramref name="count"/> items fit.</summary>
    public void CheckCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"the context holds {Capacity} items");
        }
    }
}
