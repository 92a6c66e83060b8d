using System.Diagnostics;

namespace NerfSharp.Cli;

/// <summary>
/// A progress line with rate and ETA on standard error: redrawn in place on a terminal, printed
/// every few seconds when redirected (logs, CI).
/// </summary>
public sealed class ConsoleProgress
{
    private readonly TextWriter output;
    private readonly string label;
    private readonly bool interactive;
    private readonly Stopwatch sinceDraw = Stopwatch.StartNew();
    private bool drawn;

    public ConsoleProgress(TextWriter output, string label, bool interactive)
    {
        this.output = output;
        this.label = label;
        this.interactive = interactive;
    }

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> after <paramref name="seconds"/> for <paramref name="doneThisSession"/> units.</summary>
    public void Report(long done, long total, double seconds, long doneThisSession, string detail = "")
    {
        bool last = done >= total;
        if (!last && sinceDraw.Elapsed.TotalSeconds < (interactive ? 0.25 : 5.0))
        {
            return;
        }

        sinceDraw.Restart();
        double rate = seconds > 0 ? doneThisSession / seconds : 0;
        string eta = rate > 0 ? FormatDuration((total - done) / rate) : "?";
        string line = $"{label} {done}/{total} ({100.0 * done / Math.Max(1, total):F0}%) {detail} | {rate:F2}/s | elapsed {FormatDuration(seconds)} | ETA {eta}";
        if (interactive)
        {
            output.Write("\r" + line.PadRight(100));
            if (last)
            {
                output.WriteLine();
            }
        }
        else
        {
            output.WriteLine(line);
        }

        drawn = true;
    }

    public void Finish()
    {
        if (drawn && interactive)
        {
            output.WriteLine();
        }
    }

    public static string FormatDuration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            return "?";
        }

        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds:F1}s";
    }
}
