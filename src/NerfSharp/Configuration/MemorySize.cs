using System.Globalization;

namespace NerfSharp.Configuration;

/// <summary>Byte counts as a person writes them: 2G, 1.5G, 512M, 64K or a plain number of bytes (binary units, 1K = 1024).</summary>
public static class MemorySize
{
    /// <summary>Parses <paramref name="text"/>; a malformed or non-positive size is a <see cref="FormatException"/>.</summary>
    public static long Parse(string text)
    {
        string s = text.Trim();
        long unit = 1;
        if (s.Length > 0)
        {
            char last = char.ToUpperInvariant(s[^1]);
            if (last == 'B' && s.Length > 1)
            {
                s = s[..^1];
                last = char.ToUpperInvariant(s[^1]);
            }

            unit = last switch
            {
                'K' => 1L << 10,
                'M' => 1L << 20,
                'G' => 1L << 30,
                'T' => 1L << 40,
                _ => 1,
            };
            if (unit > 1)
            {
                s = s[..^1];
            }
        }

        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || !(value > 0) || value * unit > long.MaxValue / 2)
        {
            throw new FormatException($"'{text}' is not a memory size (e.g. 2G, 512M or a number of bytes)");
        }

        return (long)(value * unit);
    }

    /// <summary>A short human form: 2.0 GiB, 512 MiB.</summary>
    public static string Format(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("F1", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("F0", CultureInfo.InvariantCulture) + " MiB";
}
