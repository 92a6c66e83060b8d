using NerfSharp.Kernels;
using NerfSharp.Modules;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Networks;

/// <summary>
/// A plain fully connected network (tiny-cuda-nn's FullyFusedMLP / CutlassMLP in C#): layer i computes
/// h_i = act_i(W_i h_{i-1} (+ b_i)) with W_i of shape [out, in] stored under <c>{prefix}.layers.{i}.weight</c>
/// (and <c>.bias</c>) in one parameter group. It only declares its layer graph; the shared <see cref="LayerGraph"/>
/// engine (also behind <see cref="NerfMlp"/>) runs it on the blocked SIMD GEMM kernels: items in tiles of
/// <see cref="MlpContext.TilePoints"/>, each tile's activations in <see cref="BlockedLayout"/>; ReLU fused into the
/// GEMM epilogue (forward) and the input-gradient epilogue (backward mask); sigmoid and trunc_exp as a vector pass over
/// the tile. Threads take tiles (forward) or fixed chunks of tiles (backward) as they become free; each chunk
/// accumulates its own weight-gradient partial and partials are added in chunk order, so results are bit-identical
/// run to run whatever the thread count. Nothing is allocated per call.
/// </summary>
public sealed class Mlp : IDifferentiableModule
{
    private readonly ParameterStore store;
    private readonly LayerGraph graph;

    public Mlp(MlpConfig config, ParameterStore store, string prefix, string group = "mlp")
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(config.Layers);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.InputWidth);
        if (config.Layers.Count == 0)
        {
            throw new ArgumentException("an MLP needs at least one layer", nameof(config));
        }

        Config = config;
        this.store = store;
        string p = prefix.Length == 0 ? string.Empty : prefix + ".";

        // Tile layout: the input, then per layer its GEMM output (pre-activation for sigmoid / trunc_exp, which also get
        // a slot for the activated output; ReLU and identity layers keep only their activated output).
        int next = 0;
        ActivationSlot Slot(int features, bool relu, bool isInput = false)
        {
            var slot = new ActivationSlot($"s{next}", features, next, relu, isInput);
            next += slot.Blocks;
            return slot;
        }

        ActivationSlot input = Slot(config.InputWidth, false, isInput: true);
        ActivationSlot current = input;
        var dense = new DenseLayer[config.Layers.Count];
        int parameters = 0;
        for (int i = 0; i < dense.Length; i++)
        {
            MlpLayer spec = config.Layers[i] ?? throw new ArgumentException($"layer {i} is null", nameof(config));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.Outputs);
            if (!Enum.IsDefined(spec.Activation))
            {
                throw new ArgumentException($"layer {i} has an unknown activation {spec.Activation}", nameof(config));
            }

            ParameterTensor weight = store.Add($"{p}layers.{i}.weight", [spec.Outputs, current.Features], group);
            ParameterTensor? bias = config.Bias ? store.Add($"{p}layers.{i}.bias", [spec.Outputs], group) : null;
            parameters += weight.Length + (bias?.Length ?? 0);
            ActivationSlot output = Slot(spec.Outputs, spec.Activation == Activation.Relu);
            ActivationSlot? post = spec.Activation is Activation.Sigmoid or Activation.TruncExp ? Slot(spec.Outputs, false) : null;
            dense[i] = new DenseLayer(weight, bias, [current], output, spec.Activation, post);
            current = dense[i].Result;
        }

        graph = new LayerGraph(store, [input], dense, [current], next, MlpContext.TilePoints, MlpContext.GradientChunks);
        InputWidth = config.InputWidth;
        OutputWidth = current.Features;
        ParameterCount = parameters;
    }

    public MlpConfig Config { get; }

    public int InputWidth { get; }

    public int OutputWidth { get; }

    public int ParameterCount { get; }

    /// <summary>Multiply-adds of one item's forward pass: sum over layers of in x out (without padding).</summary>
    public long MacsPerItem
    {
        get
        {
            long macs = 0;
            foreach (DenseLayer layer in graph.Layers)
            {
                macs += (long)layer.Weight.Length;
            }

            return macs;
        }
    }

    /// <summary>
    /// Xavier (Glorot) uniform: W ~ U(-a, a) with a = sqrt(6 / (in + out)), drawn layer by layer (row-major); biases 0.
    /// This is tiny-cuda-nn's FullyFusedMLP initialisation (which has no bias), the one Instant-NGP trains its hash-grid
    /// NeRF with: it keeps the activations' variance about constant through the ReLU layers at these small widths,
    /// while PyTorch's kaiming-uniform default (a = 1/sqrt(in)) starts the width-64 layers with smaller outputs.
    /// The store must be frozen.
    /// </summary>
    public void Initialize(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        foreach (DenseLayer layer in graph.Layers)
        {
            float bound = MathF.Sqrt(6f / (layer.Weight.Shape[0] + layer.Weight.Shape[1]));
            Span<float> values = store.ValuesOf(layer.Weight);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = ((2f * rng.NextFloat()) - 1f) * bound;
            }

            if (layer.Bias != null)
            {
                store.ValuesOf(layer.Bias).Clear();
            }
        }
    }

    /// <summary>A context for up to <paramref name="capacity"/> items per call, one thread per processor.</summary>
    public ModuleContext CreateContext(int capacity) => CreateContext(capacity, ParallelJob.DefaultParts);

    /// <summary>A context for up to <paramref name="capacity"/> items per call, split over at most <paramref name="threads"/> threads.</summary>
    public MlpContext CreateContext(int capacity, int threads) => new(this, graph.CreateWorkspace(capacity, threads));

    /// <summary>
    /// input: feature-major [InputWidth][count] -> output: feature-major [OutputWidth][count] (activated). Saves the
    /// tiles' activations in <paramref name="context"/> for <see cref="Backward"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, int count, Span<float> output, ModuleContext context)
    {
        MlpContext c = CheckContext(context);
        c.CheckCount(count);
        CheckLength(input.Length, InputWidth * count, nameof(input));
        CheckLength(output.Length, OutputWidth * count, nameof(output));
        c.Count = count;
        c.ForwardDone = false;
        graph.Forward(input, count, output, c.Core);
        c.ForwardDone = true;
    }

    /// <summary>
    /// dLdOutput: feature-major [OutputWidth][count] of the context's last forward. ADDS the parameter gradients to the
    /// store's gradients; when <paramref name="dLdInput"/> is not empty, OVERWRITES it with dL/dinput [InputWidth][count].
    /// </summary>
    public void Backward(ModuleContext context, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        MlpContext c = CheckContext(context);
        if (!c.ForwardDone)
        {
            throw new InvalidOperationException("Backward needs a completed Forward on this context first");
        }

        int count = c.Count;
        CheckLength(dLdOutput.Length, OutputWidth * count, nameof(dLdOutput));
        if (!dLdInput.IsEmpty)
        {
            CheckLength(dLdInput.Length, InputWidth * count, nameof(dLdInput));
        }

        graph.Backward(c.Core, dLdOutput, dLdInput);
    }

    private static void CheckLength(int length, int expected, string name)
    {
        if (length < expected)
        {
            throw new ArgumentException($"{name} has {length} floats, needs {expected}", name);
        }
    }

    private MlpContext CheckContext(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context is not MlpContext c || c.Owner != this)
        {
            throw new ArgumentException("the context was not created by this Mlp", nameof(context));
        }

        return c;
    }
}
