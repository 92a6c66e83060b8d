using NerfSharp.Parameters;
using NerfSharp.Kernels;
using NerfSharp.Numerics;

namespace NerfSharp.Networks;

/// <summary>
/// nerf-pytorch's NeRF MLP, declared as a layer graph that the shared <see cref="LayerGraph"/> engine (also behind
/// <see cref="Mlp"/>) runs forward and backward on the blocked SIMD GEMM kernels.
/// Trunk: h = relu(pts_linears[i](h)), with h = cat([input_pts, h]) after layer <see cref="NerfMlpConfig.Skip"/>.
/// With view directions: sigma = alpha_linear(h), feature = feature_linear(h) (no ReLU),
/// h = relu(views_linears[0](cat([feature, input_views]))), rgb = rgb_linear(h); output rows [r, g, b, sigma]
/// (raw, no activation). Without: output = output_linear(h). Parameters live in a <see cref="ParameterStore"/>
/// under PyTorch's names and layout, so nerf-pytorch checkpoints load directly.
/// Batches run over tiles of points that threads take as they become free; weight gradients are accumulated per
/// fixed chunk of tiles (<see cref="NerfMlpWorkspace.GradientChunks"/>) and reduced in chunk order, so results are
/// bit-identical run to run, whatever the thread count.
/// </summary>
public sealed class NerfMlp
{
    /// <summary>Output rows: r, g, b, sigma (raw).</summary>
    public const int OutputWidth = 4;

    private const int B = BlockedLayout.BlockWidth;

    private readonly ParameterStore store;
    private readonly LayerGraph graph;

    public NerfMlp(NerfMlpConfig config, ParameterStore store, string prefix)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.Depth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.Width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.PointChannels);
        if (config.UseViewDirs)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.ViewChannels);
            if (config.Width < 2)
            {
                throw new ArgumentException("Width must be at least 2 with view directions (the view branch has Width / 2 units)", nameof(config));
            }
        }

        if (config.Skip > config.Depth - 2)
        {
            throw new ArgumentException($"Skip {config.Skip} must be below Depth - 1 = {config.Depth - 1} (negative for no skip connection)", nameof(config));
        }

        Config = config;
        this.store = store;
        InputWidth = config.PointChannels + (config.UseViewDirs ? config.ViewChannels : 0);
        string p = prefix.Length == 0 ? string.Empty : prefix + ".";
        int d = config.Depth, w = config.Width;
        bool hasSkip = config.Skip >= 0;

        // Parameters in nerf-pytorch's state_dict order.
        var weights = new (ParameterTensor W, ParameterTensor B)[d];
        for (int i = 0; i < d; i++)
        {
            int inputs = i == 0 ? config.PointChannels : hasSkip && i - 1 == config.Skip ? w + config.PointChannels : w;
            weights[i] = Register(store, $"{p}pts_linears.{i}", w, inputs);
        }

        // Activation slots of one tile; the skip input [input_pts, h_skip] and the view input [feature, input_views]
        // are adjacent blocks, so each concatenation is free.
        int next = 0;
        ActivationSlot Slot(string name, int features, bool relu, bool isInput = false)
        {
            var slot = new ActivationSlot(name, features, next, relu, isInput);
            next += slot.Blocks;
            return slot;
        }

        ActivationSlot points = Slot("input_pts", config.PointChannels, false, isInput: true);
        var hidden = new ActivationSlot[d];
        if (hasSkip)
        {
            hidden[config.Skip] = Slot($"h{config.Skip}", w, true);
        }

        for (int i = 0; i < d; i++)
        {
            hidden[i] ??= Slot($"h{i}", w, true);
        }

        var list = new List<DenseLayer>();
        for (int i = 0; i < d; i++)
        {
            ActivationSlot[] input = i == 0 ? [points] : hasSkip && i - 1 == config.Skip ? [points, hidden[config.Skip]] : [hidden[i - 1]];
            list.Add(new DenseLayer(weights[i].W, weights[i].B, input, hidden[i], Activation.Relu));
        }

        ActivationSlot trunk = hidden[d - 1];
        ActivationSlot[] inputSlots, outputs;
        if (config.UseViewDirs)
        {
            var viewsLinear = Register(store, $"{p}views_linears.0", w / 2, w + config.ViewChannels);
            var featureLinear = Register(store, $"{p}feature_linear", w, w);
            var alphaLinear = Register(store, $"{p}alpha_linear", 1, w);
            var rgbLinear = Register(store, $"{p}rgb_linear", 3, w / 2);
            var feature = Slot("feature", w, false);
            ActivationSlot views = Slot("input_views", config.ViewChannels, false, isInput: true);
            var viewsHidden = Slot("views_hidden", w / 2, true);
            var rgb = Slot("rgb", 3, false);
            var alpha = Slot("alpha", 1, false);
            list.Add(new DenseLayer(alphaLinear.W, alphaLinear.B, [trunk], alpha, Activation.None));
            list.Add(new DenseLayer(featureLinear.W, featureLinear.B, [trunk], feature, Activation.None));
            list.Add(new DenseLayer(viewsLinear.W, viewsLinear.B, [feature, views], viewsHidden, Activation.Relu));
            list.Add(new DenseLayer(rgbLinear.W, rgbLinear.B, [viewsHidden], rgb, Activation.None));
            inputSlots = [points, views];
            outputs = [rgb, alpha];
        }
        else
        {
            var outputLinear = Register(store, $"{p}output_linear", OutputWidth, w);
            var output = Slot("output", OutputWidth, false);
            list.Add(new DenseLayer(outputLinear.W, outputLinear.B, [trunk], output, Activation.None));
            inputSlots = [points];
            outputs = [output];
        }

        graph = new LayerGraph(store, inputSlots, list.ToArray(), outputs, next, NerfMlpWorkspace.TilePoints, NerfMlpWorkspace.GradientChunks);
    }

    public NerfMlpConfig Config { get; }

    /// <summary>PointChannels + (UseViewDirs ? ViewChannels : 0).</summary>
    public int InputWidth { get; }

    /// <summary>
    /// PyTorch's nn.Linear default initialisation: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in)), drawn tensor by tensor
    /// in registration order (weight row-major, then bias). The store must be frozen.
    /// </summary>
    public void Initialize(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        foreach (DenseLayer layer in graph.Layers.OrderBy(l => l.Weight.Offset))
        {
            float bound = 1f / MathF.Sqrt(layer.Weight.Shape[1]);
            foreach (ParameterTensor t in new[] { layer.Weight, layer.Bias! })
            {
                Span<float> values = store.ValuesOf(t);
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = ((2f * rng.NextFloat()) - 1f) * bound;
                }
            }
        }
    }

    /// <summary>A workspace for batches of up to <paramref name="maxPoints"/> points, using one thread per processor.</summary>
    public NerfMlpWorkspace CreateWorkspace(int maxPoints) => CreateWorkspace(maxPoints, ParallelJob.DefaultParts);

    /// <summary>A workspace for batches of up to <paramref name="maxPoints"/> points split over <paramref name="threads"/> threads.</summary>
    public NerfMlpWorkspace CreateWorkspace(int maxPoints, int threads) => new(this, graph.CreateWorkspace(maxPoints, threads));

    /// <summary>
    /// Evaluates <paramref name="count"/> points. <paramref name="input"/> is feature-major [InputWidth][count]
    /// (encoded points, then encoded view directions); <paramref name="output"/> is feature-major [4][count]
    /// (r, g, b, sigma raw). Saves what <see cref="Backward"/> needs in <paramref name="workspace"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, int count, Span<float> output, NerfMlpWorkspace workspace)
    {
        CheckWorkspace(workspace);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > workspace.MaxPoints)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"{count} points exceed the workspace's {workspace.MaxPoints}");
        }

        CheckLength(input.Length, InputWidth * count, nameof(input));
        CheckLength(output.Length, OutputWidth * count, nameof(output));
        graph.Forward(input, count, output, workspace.Core);
    }

    /// <summary>
    /// Back-propagates <paramref name="dLdOutput"/> (feature-major [4][count]) through the last <see cref="Forward"/> on
    /// <paramref name="workspace"/>, ADDING parameter gradients to the store's gradients. <paramref name="dLdInput"/>:
    /// empty to skip input gradients, else feature-major [InputWidth][count], overwritten.
    /// </summary>
    public void Backward(NerfMlpWorkspace workspace, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        CheckWorkspace(workspace);
        int count = workspace.Count;
        if (count < 0)
        {
            throw new InvalidOperationException("Backward needs a Forward on this workspace first");
        }

        CheckLength(dLdOutput.Length, OutputWidth * count, nameof(dLdOutput));
        bool inputGradient = !dLdInput.IsEmpty;
        if (inputGradient)
        {
            CheckLength(dLdInput.Length, InputWidth * count, nameof(dLdInput));
        }

        if (count == 0)
        {
            return;
        }

        graph.Backward(workspace.Core, dLdOutput, dLdInput);
    }

    private static (ParameterTensor W, ParameterTensor B) Register(ParameterStore store, string name, int outputs, int inputs) =>
        (store.Add(name + ".weight", [outputs, inputs]), store.Add(name + ".bias", [outputs]));

    private void CheckWorkspace(NerfMlpWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (workspace.Owner != this)
        {
            throw new ArgumentException("the workspace was created by another NerfMlp", nameof(workspace));
        }
    }

    private static void CheckLength(int length, int expected, string name)
    {
        if (length < expected)
        {
            throw new ArgumentException($"{name} has {length} floats, needs {expected}", name);
        }
    }
}
