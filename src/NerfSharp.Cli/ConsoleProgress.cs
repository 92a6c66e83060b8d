using System.Diagnostics;
using System.Globalization;
using NerfSharp.Training;
using Spectre.Console;

namespace NerfSharp.Cli;

/// <summary>
/// The progress display of a long command on standard error: on a terminal a live Spectre.Console progress bar with
/// the step, loss, PSNR, rays/s and ETA; when standard error is redirected (logs, CI, tests) one plain line every few
/// seconds and one at the end. Dispose it (or call <see cref="Finish"/>) when the work ends.
/// </summary>
public sealed class ConsoleProgress : IDisposable
{
    /// <summary>Seconds between two plain lines when the output is not a terminal.</summary>
    public const double PlainLineSeconds = 5.0;

    private readonly TextWriter output;
    private readonly string label;
    private readonly LiveBar? live;
    private readonly Stopwatch sinceLine = Stopwatch.StartNew();
    private readonly Stopwatch sinceStart = Stopwatch.StartNew();
    private bool finished;

    /// <summary>A display for the work called <paramref name="label"/> ("train", "render spiral"), on <see cref="CliContext.Error"/>.</summary>
    public ConsoleProgress(CliContext ctx, string label)
    {
        output = ctx.Error;
        this.label = label;
        // A terminal that cannot move the cursor (TERM=dumb, e.g. an editor's shell) gets the plain lines too.
        if (ctx.Interactive && Environment.GetEnvironmentVariable("TERM") != "dumb")
        {
            live = new LiveBar(ctx.Error, label);
        }
    }

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> items, <paramref name="doneThisSession"/> of them in <paramref name="seconds"/>.</summary>
    public void Report(long done, long total, double seconds, long doneThisSession, string detail = "")
    {
        bool last = done >= total;
        if (!Due(last))
        {
            return;
        }

        double rate = seconds > 0 ? doneThisSession / seconds : 0;
        double eta = rate > 0 ? (total - done) / rate : double.NaN;
        string text = Join($"{done}/{total} ({Percent(done, total)})", detail, $"{rate:F2}/s", $"elapsed {FormatDuration(seconds)}", $"ETA {FormatDuration(eta)}");
        Show(text, done, total, last);
    }

    /// <summary>
    /// Reports a training step: loss, PSNR, learning rate, steps/s and rays/s over this session
    /// (<paramref name="sessionRays"/> rays so far); with a time budget and no step count the ETA counts the budget down
    /// from <paramref name="budgetClockStart"/> (UTC).
    /// </summary>
    public void ReportTraining(TrainingProgress p, long sessionRays, double timeBudgetSeconds, DateTime budgetClockStart)
    {
        bool budgeted = timeBudgetSeconds > 0 && p.TotalSteps == int.MaxValue;
        bool last = p.Step >= p.TotalSteps;
        if (!Due(last))
        {
            return;
        }

        double seconds = p.SessionSeconds;
        double stepRate = seconds > 0 ? p.SessionSteps / seconds : 0;
        double rayRate = seconds > 0 ? sessionRays / seconds : 0;
        double budgetUsed = (DateTime.UtcNow - budgetClockStart).TotalSeconds;
        double eta = budgeted ? timeBudgetSeconds - budgetUsed : stepRate > 0 ? (p.TotalSteps - p.Step) / stepRate : double.NaN;
        string steps = budgeted ? $"step {p.Step}" : $"step {p.Step}/{p.TotalSteps} ({Percent(p.Step, p.TotalSteps)})";
        string text = Join(
            steps,
            string.Create(CultureInfo.InvariantCulture, $"loss {p.Loss.Loss:F5} psnr {p.Loss.Psnr:F2} lr {p.LearningRate:E2}"),
            string.Create(CultureInfo.InvariantCulture, $"{stepRate:F2} steps/s {FormatCount(rayRate)} rays/s"),
            $"elapsed {FormatDuration(p.ElapsedSeconds)}",
            $"ETA {FormatDuration(eta)}");
        double fraction = budgeted ? budgetUsed / timeBudgetSeconds : p.Step / (double)Math.Max(1, p.TotalSteps);
        Show(text, (long)(Math.Clamp(fraction, 0, 1) * 1000), 1000, last);
    }

    /// <summary>A stage of work without a count (COLMAP's feature extraction, matching...): a line above the live bar, or a plain line.</summary>
    public void Status(string line)
    {
        string text = $"[{sinceStart.Elapsed.TotalSeconds,6:F1} s] {line}";
        if (live != null)
        {
            live.Log(text);
            live.Update(line, 0, 0);
        }
        else
        {
            output.WriteLine(text);
        }
    }

    /// <summary>Ends the live display (the last state stays on screen).</summary>
    public void Finish()
    {
        if (!finished)
        {
            finished = true;
            live?.Dispose();
        }
    }

    public void Dispose() => Finish();

    public static string FormatDuration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            return "?";
        }

        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F1}s");
    }

    /// <summary>1234 -> "1.2k", 3456789 -> "3.46M".</summary>
    public static string FormatCount(double value) => value switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{value / 1e9:F2}G"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{value / 1e6:F2}M"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{value / 1e3:F1}k"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value:F0}"),
    };

    /// <summary>Whether to draw now: always for the last item; else every few seconds for plain lines, at most 10 times a second live.</summary>
    private bool Due(bool last)
    {
        if (!last && sinceLine.Elapsed.TotalSeconds < (live != null ? 0.1 : PlainLineSeconds))
        {
            return false;
        }

        sinceLine.Restart();
        return true;
    }

    private void Show(string text, long value, long max, bool last)
    {
        if (live != null)
        {
            live.Update(text, value, max);
        }
        else
        {
            output.WriteLine($"{label} {text}");
        }

        if (last)
        {
            Finish();
        }
    }

    private static string Percent(long done, long total) => string.Create(CultureInfo.InvariantCulture, $"{100.0 * done / Math.Max(1, total):F0}%");

    private static string Join(params string[] parts) => string.Join(" | ", parts.Where(p => p.Length > 0));

    /// <summary>A Spectre.Console progress bar drawn by its own thread until disposed; updates come from the working thread.</summary>
    private sealed class LiveBar : IDisposable
    {
        private readonly IAnsiConsole console;
        private readonly ManualResetEventSlim started = new();
        private readonly ManualResetEventSlim stop = new();
        private readonly Thread thread;
        private readonly string label;
        private ProgressTask? task;

        public LiveBar(TextWriter writer, string label)
        {
            console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                // The caller has found a terminal: no guessing from the environment (CI variables, TERM) on top.
                Interactive = InteractionSupport.Yes,
                Ansi = AnsiSupport.Yes,
                Enrichment = new ProfileEnrichment { UseDefaultEnrichers = false },
            });
            this.label = label;
            thread = new Thread(Draw) { IsBackground = true, Name = "nerf progress" };
            thread.Start();
            started.Wait();
        }

        private void Draw()
        {
            try
            {
                console.Progress()
                    .AutoClear(false)
                    .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn())
                    .Start(p =>
                    {
                        task = p.AddTask(Markup.Escape(label), autoStart: true, maxValue: 1);
                        started.Set();
                        stop.Wait();
                        p.Refresh();
                    });
            }
            finally
            {
                // Also when the display could not start: the work goes on without it.
                started.Set();
            }
        }

        public void Update(string text, long value, long max)
        {
            if (task == null)
            {
                return;
            }

            task.Description = Markup.Escape($"{label} {text}");
            task.IsIndeterminate = max <= 0;
            if (max > 0)
            {
                task.MaxValue = max;
                task.Value = value;
            }
        }

        /// <summary>A line written above the live bar.</summary>
        public void Log(string line) => console.WriteLine(line);

        public void Dispose()
        {
            stop.Set();
            thread.Join();
            started.Dispose();
            stop.Dispose();
        }
    }
}
