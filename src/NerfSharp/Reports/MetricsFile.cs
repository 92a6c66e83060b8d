using System.Text.Json;
using NerfSharp.Training;

namespace NerfSharp.Reports;

/// <summary>
/// Reads a run's metrics.jsonl back into <see cref="MetricsRecord"/>s (the lines <see cref="MetricsLog"/> writes),
/// in file order; blank lines and lines cut short by a kill are skipped, null numbers read as NaN.
/// </summary>
public static class MetricsFile
{
    public static IReadOnlyList<MetricsRecord> Read(string path)
    {
        var records = new List<MetricsRecord>();
        if (!File.Exists(path))
        {
            return records;
        }

        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                JsonElement e = doc.RootElement;
                records.Add(new MetricsRecord(
                    e.GetProperty("step").GetInt64(),
                    Number(e, "elapsed_s") ?? double.NaN,
                    Number(e, "loss") ?? double.NaN,
                    Number(e, "psnr") ?? double.NaN,
                    Number(e, "lr") ?? double.NaN,
                    Number(e, "mse_coarse") ?? double.NaN,
                    Number(e, "psnr_coarse") ?? double.NaN,
                    e.TryGetProperty("rays", out JsonElement rays) && rays.ValueKind == JsonValueKind.Number ? rays.GetInt32() : null,
                    Number(e, "samples_per_ray"),
                    Number(e, "samples_per_s"),
                    e.TryGetProperty("peak_rss_bytes", out JsonElement rss) && rss.ValueKind == JsonValueKind.Number ? rss.GetInt64() : null));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // a line cut short by a kill
            }
        }

        return records;
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
