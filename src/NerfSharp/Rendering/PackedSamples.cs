namespace NerfSharp.Rendering;

/// <summary>
/// Shape checks for packed ragged samples (nerfacc's layout): ray r owns samples
/// [rayStart[r], rayStart[r] + rayCount[r]); rays with no samples are allowed.
/// </summary>
internal static class PackedSamples
{
    /// <summary>Throws unless every ray's range lies in [0, capacity).</summary>
    public static void CheckRanges(ReadOnlySpan<int> rayStart, ReadOnlySpan<int> rayCount, int capacity, string what)
    {
        if (rayStart.Length != rayCount.Length)
        {
            throw new ArgumentException($"rayStart has {rayStart.Length} entries but rayCount has {rayCount.Length}");
        }

        for (int r = 0; r < rayStart.Length; r++)
        {
            int start = rayStart[r], n = rayCount[r];
            if (start < 0 || n < 0 || n > capacity - start)
            {
                throw new ArgumentException($"ray {r} owns samples [{start}, {start + n}), outside the {capacity} samples that {what} hold");
            }
        }
    }

    /// <summary>Samples addressable through every per-sample buffer, with colour channels at c * colorStride + s.</summary>
    public static int Capacity(int colorLength, int colorStride, params ReadOnlySpan<int> perSampleLengths)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(colorStride);
        int capacity = Math.Min(colorStride, Math.Max(0, colorLength - (2 * colorStride)));
        foreach (int length in perSampleLengths)
        {
            capacity = Math.Min(capacity, length);
        }

        return capacity;
    }

    /// <summary>Throws unless an optional per-ray buffer is empty or holds <paramref name="needed"/> values.</summary>
    public static void CheckOptional(int length, int needed, string name)
    {
        if (length != 0 && length < needed)
        {
            throw new ArgumentException($"{name} holds {length} values, expected 0 (zero) or {needed}", name);
        }
    }

    /// <summary>Throws unless a required buffer holds at least <paramref name="needed"/> values.</summary>
    public static void CheckRequired(int length, int needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"{name} holds {length} values, expected {needed}", name);
        }
    }
}
