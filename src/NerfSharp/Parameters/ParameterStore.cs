namespace NerfSharp.Parameters;

/// <summary>
/// One flat buffer of every trainable float and one flat gradient buffer of the same length
/// (tiny-cuda-nn's contract). Modules register named tensors at construction and then read and
/// write slices of <see cref="Values"/> and <see cref="Gradients"/>. Adam, checkpoints and the
/// gradient-check harness all see the same two arrays. Tensor names follow PyTorch's
/// (for example <c>coarse.pts_linears.0.weight</c>, shape [out, in]) so that weights load in both directions.
/// </summary>
public sealed class ParameterStore
{
    private readonly List<ParameterTensor> tensors = [];
    private readonly Dictionary<string, ParameterTensor> byName = new(StringComparer.Ordinal);
    private float[] values = [];
    private float[] gradients = [];
    private int count;
    private bool frozen;

    public IReadOnlyList<ParameterTensor> Tensors => tensors;

    public int Count => count;

    /// <summary>All parameters. Available once <see cref="Freeze"/> has been called.</summary>
    public float[] Values => frozen ? values : throw new InvalidOperationException("ParameterStore.Freeze() has not been called");

    /// <summary>All gradients, same layout as <see cref="Values"/>.</summary>
    public float[] Gradients => frozen ? gradients : throw new InvalidOperationException("ParameterStore.Freeze() has not been called");

    /// <summary>
    /// Registers a tensor and returns its location. <paramref name="group"/> names the optimizer
    /// parameter group (groups can have their own learning rates).
    /// </summary>
    public ParameterTensor Add(string name, int[] shape, string group = "default")
    {
        if (frozen)
        {
            throw new InvalidOperationException($"cannot add '{name}': the store is frozen");
        }

        if (byName.ContainsKey(name))
        {
            throw new ArgumentException($"parameter '{name}' is already registered", nameof(name));
        }

        int length = 1;
        foreach (int d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d);
            length = checked(length * d);
        }

        var tensor = new ParameterTensor(name, (int[])shape.Clone(), count, length, group);
        tensors.Add(tensor);
        byName.Add(name, tensor);
        count = checked(count + length);
        return tensor;
    }

    /// <summary>Allocates the buffers; no tensor can be added afterwards.</summary>
    public void Freeze()
    {
        if (!frozen)
        {
            values = new float[count];
            gradients = new float[count];
            frozen = true;
        }
    }

    public bool IsFrozen => frozen;

    public ParameterTensor this[string name] =>
        byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no parameter named '{name}'");

    public bool TryGet(string name, out ParameterTensor tensor) => byName.TryGetValue(name, out tensor!);

    public Span<float> ValuesOf(ParameterTensor t) => Values.AsSpan(t.Offset, t.Length);

    public Span<float> GradientsOf(ParameterTensor t) => Gradients.AsSpan(t.Offset, t.Length);

    public void ZeroGradients() => Array.Clear(Gradients);
}

/// <summary>A named tensor inside the flat parameter buffer.</summary>
public sealed record ParameterTensor(string Name, int[] Shape, int Offset, int Length, string Group);
