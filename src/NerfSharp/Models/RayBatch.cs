using NerfSharp.Cameras;

namespace NerfSharp.Models;

/// <summary>
/// A batch of rays, array-of-structures: origin and (unnormalised) direction xyz per ray, plus the ray's
/// near and far bounds. Sized once for a capacity and refilled in place; <see cref="Count"/> says how many are live.
/// </summary>
public sealed class RayBatch
{
    public RayBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
        Origins = new float[capacity * 3];
        Directions = new float[capacity * 3];
        Near = new float[capacity];
        Far = new float[capacity];
    }

    public int Capacity { get; }

    public int Count { get; set; }

    /// <summary>Origin of ray r at [3r .. 3r+2].</summary>
    public float[] Origins { get; }

    /// <summary>Direction of ray r at [3r .. 3r+2], not normalised (nerf-pytorch's rays_d).</summary>
    public float[] Directions { get; }

    public float[] Near { get; }

    public float[] Far { get; }

    public void Set(int index, in Ray ray, float near, float far)
    {
        int o = index * 3;
        Origins[o] = (float)ray.OriginX;
        Origins[o + 1] = (float)ray.OriginY;
        Origins[o + 2] = (float)ray.OriginZ;
        Directions[o] = (float)ray.DirX;
        Directions[o + 1] = (float)ray.DirY;
        Directions[o + 2] = (float)ray.DirZ;
        Near[index] = near;
        Far[index] = far;
    }

    /// <summary>Copies rays [start, start+count) of <paramref name="source"/> into this batch, from index 0.</summary>
    public void CopyFrom(RayBatch source, int start, int count)
    {
        if (count > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"batch capacity is {Capacity}");
        }

        source.Origins.AsSpan(start * 3, count * 3).CopyTo(Origins);
        source.Directions.AsSpan(start * 3, count * 3).CopyTo(Directions);
        source.Near.AsSpan(start, count).CopyTo(Near);
        source.Far.AsSpan(start, count).CopyTo(Far);
        Count = count;
    }
}
