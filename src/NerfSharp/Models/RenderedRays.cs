namespace NerfSharp.Models;

/// <summary>Per-ray render results of a model (the fine pass where there is one).</summary>
public sealed class RenderedRays
{
    public RenderedRays(int capacity)
    {
        Rgb = new float[capacity * 3];
        Depth = new float[capacity];
        Disparity = new float[capacity];
        Accumulation = new float[capacity];
    }

    public int Capacity => Depth.Length;

    /// <summary>Colour of ray r at [3r .. 3r+2].</summary>
    public float[] Rgb { get; }

    /// <summary>Expected termination distance along the ray (in units of |d|, as nerf-pytorch's depth_map).</summary>
    public float[] Depth { get; }

    /// <summary>1 / max(1e-10, depth / accumulation).</summary>
    public float[] Disparity { get; }

    /// <summary>Sum of the compositing weights (opacity).</summary>
    public float[] Accumulation { get; }
}
