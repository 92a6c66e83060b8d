using System.Text;

namespace NerfSharp.Tests.Fuzzing;

/// <summary>
/// Runs a parser over seeded mutations and classifies each input: accepted, rejected with a
/// <see cref="DataFormatException"/> naming the input, or a failure (any other exception, a message without the
/// file's name, a time-out, or more memory allocated than the bound). Inputs are numbered so a failure reproduces
/// from (base seed, index).
/// </summary>
internal static class FuzzHarness
{
    /// <summary>Inputs per parser: a few hundred in CI, more with NERFSHARP_FUZZ_COUNT (scripts/fuzz.sh).</summary>
    public static int Count => int.TryParse(Environment.GetEnvironmentVariable("NERFSHARP_FUZZ_COUNT"), out int n) && n > 0 ? n : 300;

    public sealed record Summary(string Parser, int Inputs, int Accepted, int Rejected, long MaxAllocated, double MaxSeconds);

    /// <param name="parse">Parses input number i (built from the Random it is given); returns the name its errors must contain.</param>
    public static Summary Run(string parser, int baseSeed, Action<int, Random, Action<string>> parse, TimeSpan limit, long maxBytes, bool perThreadAllocation = true)
    {
        int count = Count;
        int accepted = 0, rejected = 0;
        long maxAllocated = 0;
        double maxSeconds = 0;
        var failures = new List<string>();
        for (int i = 0; i < count && failures.Count < 10; i++)
        {
            var rng = new Random(HashCode.Combine(baseSeed, i));
            string expectedName = "";
            Exception? error = null;
            long allocated = 0;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var thread = new Thread(() =>
            {
                long before = perThreadAllocation ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: false);
                try
                {
                    parse(i, rng, name => expectedName = name);
                }
                catch (Exception e)
                {
                    error = e;
                }

                allocated = (perThreadAllocation ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: false)) - before;
            }, maxStackSize: 4 << 20);
            thread.IsBackground = true;
            thread.Start();
            if (!thread.Join(limit))
            {
                failures.Add($"input {i}: no answer within {limit.TotalSeconds} s (hang)");
                break; // the thread cannot be stopped; do not pile up more
            }

            maxSeconds = Math.Max(maxSeconds, watch.Elapsed.TotalSeconds);
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (allocated > maxBytes)
            {
                failures.Add($"input {i}: allocated {allocated / (1 << 20)} MiB (bound {maxBytes / (1 << 20)} MiB)");
            }

            switch (error)
            {
                case null:
                    accepted++;
                    break;
                case DataFormatException d when expectedName.Length > 0 && d.Message.Contains(expectedName, StringComparison.Ordinal):
                    rejected++;
                    break;
                case DataFormatException d:
                    failures.Add($"input {i}: DataFormatException that does not name '{expectedName}': {d.Message}");
                    break;
                default:
                    failures.Add($"input {i}: {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
                    break;
            }
        }

        var summary = new Summary(parser, count, accepted, rejected, maxAllocated, maxSeconds);
        Report(summary, failures);
        Assert.True(failures.Count == 0, $"{parser} fuzzing (base seed {baseSeed}): {failures.Count} failing input(s)\n{string.Join("\n", failures)}");
        Assert.Equal(count, accepted + rejected);
        return summary;
    }

    private static void Report(Summary s, List<string> failures)
    {
        string? path = Environment.GetEnvironmentVariable("NERFSHARP_FUZZ_REPORT");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var line = new StringBuilder();
        line.Append($"{s.Parser}: {s.Inputs} inputs, {s.Accepted} accepted, {s.Rejected} rejected with a clear error, {failures.Count} failures; ");
        line.Append($"max {s.MaxAllocated / 1024.0:F0} KiB allocated, max {s.MaxSeconds * 1000:F1} ms per input\n");
        foreach (string f in failures)
        {
            line.Append("  ").Append(f.Split('\n')[0]).Append('\n');
        }

        lock (typeof(FuzzHarness))
        {
            File.AppendAllText(path, line.ToString());
        }
    }
}
