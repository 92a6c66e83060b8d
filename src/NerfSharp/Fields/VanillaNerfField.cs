using NerfSharp.Parameters;
using NerfSharp.Encodings;
using NerfSharp.Networks;
using NerfSharp.Numerics;

namespace NerfSharp.Fields;

/// <summary>
/// nerf-pytorch's radiance field: positional encoding of points and view directions, then the
/// 8x256 MLP with a skip connection and view-direction branch. Evaluates raw outputs
/// (rows r, g, b, sigma, before activation); it never samples or renders.
/// </summary>
public sealed class VanillaNerfField
{
    private readonly FrequencyEncoding pointEncoding;
    private readonly FrequencyEncoding? viewEncoding;

    public VanillaNerfField(int depth, int width, int multires, int multiresViews, bool useViewDirs, ParameterStore store, string prefix)
    {
        pointEncoding = new FrequencyEncoding(3, multires, includeInput: true);
        viewEncoding = useViewDirs ? new FrequencyEncoding(3, multiresViews, includeInput: true) : null;
        Mlp = new NerfMlp(
            new NerfMlpConfig(
                Depth: depth,
                Width: width,
                PointChannels: pointEncoding.OutputWidth,
                ViewChannels: viewEncoding?.OutputWidth ?? 0,
                Skip: depth > 5 ? 4 : -1, // nerf-pytorch's skips=[4]; a shallower trunk never reaches it
                UseViewDirs: useViewDirs),
            store,
            prefix);
    }

    public NerfMlp Mlp { get; }

    public void Initialize(Rng rng) => Mlp.Initialize(rng);

    public Workspace CreateWorkspace(int maxPoints) => new(this, maxPoints);

    /// <summary>
    /// points and viewDirs are array-of-structures xyz per sample; raw is feature-major [4][count].
    /// </summary>
    public void Forward(ReadOnlySpan<float> points, ReadOnlySpan<float> viewDirs, int count, Span<float> raw, Workspace workspace)
    {
        if (count > workspace.MaxPoints)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"workspace holds {workspace.MaxPoints} points");
        }

        Span<float> input = workspace.Input.AsSpan(0, Mlp.InputWidth * count);
        pointEncoding.Forward(points[..(count * 3)], count, input);
        if (viewEncoding != null)
        {
            viewEncoding.Forward(viewDirs[..(count * 3)], count, input[(pointEncoding.OutputWidth * count)..]);
        }

        workspace.Count = count;
        Mlp.Forward(input, count, raw[..(NerfMlp.OutputWidth * count)], workspace.Mlp);
    }

    /// <summary>Accumulates parameter gradients for dL/draw (feature-major [4][count]) of the last Forward.</summary>
    public void Backward(Workspace workspace, ReadOnlySpan<float> dLdRaw) =>
        Mlp.Backward(workspace.Mlp, dLdRaw[..(NerfMlp.OutputWidth * workspace.Count)], []);

    /// <summary>Buffers of one field evaluation, sized once.</summary>
    public sealed class Workspace
    {
        internal Workspace(VanillaNerfField field, int maxPoints)
        {
            MaxPoints = maxPoints;
            Input = new float[field.Mlp.InputWidth * maxPoints];
            Mlp = field.Mlp.CreateWorkspace(maxPoints);
        }

        public int MaxPoints { get; }

        internal int Count { get; set; }

        internal float[] Input { get; }

        internal NerfMlpWorkspace Mlp { get; }
    }
}
