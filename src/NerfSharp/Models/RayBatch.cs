using NerfSharp.Cameras;

namespace NerfSharp.Models;

/// <summary>
/// A batch of rays, array-of-structures: origin and (unnormalised) direction xyz per ray, the ray's near and far
/// bounds, the index of the camera it comes from and the background colour it sees where the scene is empty.
/// Sized once for a capacity and refilled in place; <see cref="Count"/> says how many are live.
/// Pose refinement asks for <see cref="EnableRayGradients"/>: a model then writes dL/dorigin and dL/ddirection per ray.
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
        CameraIndex = new int[capacity];
        Background = new float[capacity * 3];
    }

    public int Capacity { get; }

    public int Count { get; set; }

    /// <summary>Origin of ray r at [3r .. 3r+2].</summary>
    public float[] Origins { get; }

    /// <summary>Direction of ray r at [3r .. 3r+2], not normalised (nerf-pytorch's rays_d).</summary>
    public float[] Directions { get; }

    public float[] Near { get; }

    public float[] Far { get; }

    /// <summary>Index of the camera (image) ray r was generated from; -1 for cameras outside the dataset (render paths).</summary>
    public int[] CameraIndex { get; }

    /// <summary>Background colour of ray r at [3r .. 3r+2]: what it sees where the accumulated opacity is below 1.</summary>
    public float[] Background { get; }

    /// <summary>
    /// The direction ray r looks along in the world, at [3r .. 3r+2], when the ray itself is in another space (NDC for
    /// forward-facing LLFF scenes: nerf-pytorch takes viewdirs from rays_d before ndc_rays); null when every ray's own
    /// <see cref="Directions"/> is its viewing direction. Filled by <see cref="SetViewDirection"/>; a plain Set copies the ray's direction.
    /// </summary>
    public float[]? ViewDirections { get; private set; }

    /// <summary>dL/dorigin of ray r at [3r .. 3r+2], or null when ray gradients are not wanted.</summary>
    public float[]? OriginGradients { get; private set; }

    /// <summary>dL/ddirection of ray r at [3r .. 3r+2], or null when ray gradients are not wanted.</summary>
    public float[]? DirectionGradients { get; private set; }

    /// <summary>Allocates the ray-gradient buffers (models that support it then overwrite them on every backward).</summary>
    public void EnableRayGradients()
    {
        OriginGradients ??= new float[Capacity * 3];
        DirectionGradients ??= new float[Capacity * 3];
    }

    /// <summary>Sets every live ray's background to one colour.</summary>
    public void FillBackground(float r, float g, float b)
    {
        for (int i = 0; i < Count; i++)
        {
            Background[3 * i] = r;
            Background[(3 * i) + 1] = g;
            Background[(3 * i) + 2] = b;
        }
    }

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
        CameraIndex[index] = -1;
        if (ViewDirections is not null)
        {
            ViewDirections[o] = Directions[o];
            ViewDirections[o + 1] = Directions[o + 1];
            ViewDirections[o + 2] = Directions[o + 2];
        }
    }

    /// <summary>Gives ray <paramref name="index"/> (set before) the viewing direction of <paramref name="worldRay"/>, the ray it was mapped from.</summary>
    public void SetViewDirection(int index, in Ray worldRay)
    {
        ViewDirections ??= new float[Capacity * 3];
        int o = index * 3;
        ViewDirections[o] = (float)worldRay.DirX;
        ViewDirections[o + 1] = (float)worldRay.DirY;
        ViewDirections[o + 2] = (float)worldRay.DirZ;
    }

    /// <summary>Sets ray <paramref name="index"/> with the camera it comes from.</summary>
    public void Set(int index, in Ray ray, float near, float far, int camera)
    {
        Set(index, ray, near, far);
        CameraIndex[index] = camera;
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
        if (source.ViewDirections is not null || ViewDirections is not null)
        {
            ViewDirections ??= new float[Capacity * 3];
            (source.ViewDirections ?? source.Directions).AsSpan(start * 3, count * 3).CopyTo(ViewDirections);
        }

        source.Near.AsSpan(start, count).CopyTo(Near);
        source.Far.AsSpan(start, count).CopyTo(Far);
        source.CameraIndex.AsSpan(start, count).CopyTo(CameraIndex);
        source.Background.AsSpan(start * 3, count * 3).CopyTo(Background);
        Count = count;
    }
}
