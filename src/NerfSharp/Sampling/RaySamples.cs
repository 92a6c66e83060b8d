namespace NerfSharp.Sampling;

/// <summary>
/// Packed ragged samples along a batch of rays (nerfacc's layout), the one type every sampler produces:
/// ray r owns samples [RayStart[r], RayStart[r] + RayCount[r]) in increasing t; rays with no samples are allowed.
/// Sample s covers the interval [TStart[s], TEnd[s]] of its ray RayIndex[s], in units of the ray's direction
/// as given (not normalised). Sized once for a capacity and refilled in place.
/// </summary>
public sealed class RaySamples
{
    public RaySamples(int rayCapacity, int sampleCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rayCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCapacity);
        RayStart = new int[rayCapacity];
        RayCount = new int[rayCapacity];
        TStart = new float[sampleCapacity];
        TEnd = new float[sampleCapacity];
        RayIndex = new int[sampleCapacity];
    }

    public int RayCapacity => RayStart.Length;

    public int SampleCapacity => TStart.Length;

    /// <summary>Live rays.</summary>
    public int Rays { get; set; }

    /// <summary>Live samples (the sum of RayCount over live rays).</summary>
    public int Samples { get; set; }

    public int[] RayStart { get; }

    public int[] RayCount { get; }

    public float[] TStart { get; }

    public float[] TEnd { get; }

    public int[] RayIndex { get; }

    /// <summary>Midpoint of sample s's interval.</summary>
    public float TMid(int s) => 0.5f * (TStart[s] + TEnd[s]);

    /// <summary>Clears to <paramref name="rays"/> rays with no samples.</summary>
    public void Reset(int rays)
    {
        if (rays > RayCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(rays), rays, $"capacity is {RayCapacity} rays");
        }

        Rays = rays;
        Samples = 0;
        Array.Clear(RayStart, 0, rays);
        Array.Clear(RayCount, 0, rays);
    }

    /// <summary>Throws unless the live rays own disjoint, in-range sample ranges whose RayIndex points back to them.</summary>
    public void Validate()
    {
        for (int r = 0; r < Rays; r++)
        {
            int start = RayStart[r], n = RayCount[r];
            if (start < 0 || n < 0 || n > Samples - start)
            {
                throw new InvalidOperationException($"ray {r} owns samples [{start}, {start + n}), outside the {Samples} live samples");
            }

            for (int s = start; s < start + n; s++)
            {
                if (RayIndex[s] != r)
                {
                    throw new InvalidOperationException($"sample {s} is in ray {r}'s range but names ray {RayIndex[s]}");
                }
            }
        }
    }
}
