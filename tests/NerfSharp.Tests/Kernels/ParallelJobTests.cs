using NerfSharp.Kernels;

namespace NerfSharp.Tests.Kernels;

/// <summary>ParallelJob / ParallelSpanJob: every part runs exactly once per run, failures propagate, spans reach every part.</summary>
public sealed class ParallelJobTests
{
    [Fact]
    public void EveryPartRunsExactlyOncePerRun()
    {
        var job = new CountingJob();
        for (int run = 1; run <= 200; run++)
        {
            int parts = 1 + (run % 5);
            job.Run(parts);
            for (int p = 0; p < 5; p++)
            {
                Assert.Equal(p < parts ? 1 : 0, job.Counts[p]);
                job.Counts[p] = 0;
            }
        }
    }

    [Fact]
    public void FailureOfAnyPartIsRethrownAfterAllParts()
    {
        var job = new FailingJob();
        var e = Assert.Throws<InvalidOperationException>(() => job.Run(3));
        Assert.Equal("part 2", e.Message);
        Assert.Equal(3, job.Finished);
    }

    [Fact]
    public void SpanJobHandsTheSameSpansToEveryPart()
    {
        float[] source = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
        float[] destination = new float[1000];
        new DoublingJob().Run(4, source, destination);
        Assert.Equal(source.Select(v => 2 * v).ToArray(), destination);
    }

    private sealed class CountingJob : ParallelJob
    {
        public int[] Counts { get; } = new int[5];

        protected override void Execute(int part, int partCount) => Interlocked.Increment(ref Counts[part]);
    }

    private sealed class FailingJob : ParallelJob
    {
        private int finished;

        public int Finished => finished;

        protected override void Execute(int part, int partCount)
        {
            Interlocked.Increment(ref finished);
            if (part == 2)
            {
                throw new InvalidOperationException("part 2");
            }
        }
    }

    private sealed class DoublingJob : ParallelSpanJob
    {
        protected override void Execute(int part, int partCount, ReadOnlySpan<float> source, Span<float> destination)
        {
            int first = source.Length * part / partCount, end = source.Length * (part + 1) / partCount;
            for (int i = first; i < end; i++)
            {
                destination[i] = 2 * source[i];
            }
        }
    }
}
