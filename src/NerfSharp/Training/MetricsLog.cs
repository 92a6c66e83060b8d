using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NerfSharp.Training;

/// <summary>
/// One line of metrics.jsonl. Coarse-pass fields are written only for models with a coarse pass (not NaN);
/// rays per step, samples per ray (after the occupancy grid), samples per second and the process's peak resident
/// memory so far (bytes) only when given.
/// </summary>
public sealed record MetricsRecord(
    long Step,
    double ElapsedSeconds,
    double Loss,
    double Psnr,
    double LearningRate,
    double MseCoarse,
    double PsnrCoarse,
    int? Rays = null,
    double? SamplesPerRay = null,
    double? SamplesPerSecond = null,
    long? PeakRssBytes = null);

/// <summary>
/// The run's <c>metrics.jsonl</c>: one JSON object per logged step. On resume, lines past the checkpoint's
/// step (written by a run that was killed before its next checkpoint) are dropped so the log reads as one run.
/// </summary>
public sealed class MetricsLog
{
    private readonly string path;

    public MetricsLog(string path)
    {
        this.path = path;
    }

    public string FilePath => path;

    public void Append(MetricsRecord r)
    {
        var sb = new StringBuilder();
        sb.Append('{');
        sb.Append("\"step\":").Append(r.Step.ToString(CultureInfo.InvariantCulture));
        Field(sb, "elapsed_s", r.ElapsedSeconds);
        Field(sb, "loss", r.Loss);
        Field(sb, "psnr", r.Psnr);
        Field(sb, "lr", r.LearningRate);
        if (!double.IsNaN(r.MseCoarse))
        {
            Field(sb, "mse_coarse", r.MseCoarse);
            Field(sb, "psnr_coarse", r.PsnrCoarse);
        }

        if (r.Rays is int rays)
        {
            sb.Append(",\"rays\":").Append(rays.ToString(CultureInfo.InvariantCulture));
        }

        if (r.SamplesPerRay is double spr)
        {
            Field(sb, "samples_per_ray", spr);
        }

        if (r.SamplesPerSecond is double sps)
        {
            Field(sb, "samples_per_s", sps);
        }

        if (r.PeakRssBytes is long rss)
        {
            sb.Append(",\"peak_rss_bytes\":").Append(rss.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append("}\n");
        File.AppendAllText(path, sb.ToString());
    }

    /// <summary>Keeps only the lines whose step is at most <paramref name="step"/>.</summary>
    public void TruncateAfter(long step)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var kept = new StringBuilder();
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.GetProperty("step").GetInt64() > step)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                continue; // a line cut short by a kill
            }

            kept.Append(line).Append('\n');
        }

        IO.AtomicFile.WriteAllText(path, kept.ToString());
    }

    private static void Field(StringBuilder sb, string name, double value)
    {
        sb.Append(",\"").Append(name).Append("\":");
        sb.Append(double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "null");
    }
}
