using System.Runtime.ExceptionServices;

namespace NerfSharp.Kernels;

/// <summary>
/// A unit of work split into a fixed number of parts that run concurrently: part 0 on the calling thread, the others
/// queued to the .NET thread pool; when the caller has finished its part it runs any part no pool thread has started
/// yet, so a busy or starved pool delays nothing. The work items are allocated once per job object, so running a job
/// allocates nothing. What a part computes must not depend on which thread runs it (then results are deterministic).
/// A job must not be run from two threads at once.
/// </summary>
public abstract class ParallelJob
{
    private readonly ManualResetEventSlim done = new(false);
    private PartItem[] items = [];
    private int pending;
    private ExceptionDispatchInfo? failure;

    /// <summary>Parts a job uses on this machine by default: one per processor.</summary>
    public static int DefaultParts => Environment.ProcessorCount;

    /// <summary>Runs <see cref="Execute(int, int)"/> for parts 0..partCount-1 and returns when all have finished (rethrowing the first failure).</summary>
    public void Run(int partCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partCount);
        if (partCount == 1)
        {
            Execute(0, 1);
            return;
        }

        if (items.Length < partCount)
        {
            var grown = new PartItem[partCount];
            for (int i = 0; i < partCount; i++)
            {
                grown[i] = i < items.Length ? items[i] : new PartItem(this, i);
            }

            items = grown;
        }

        failure = null;
        done.Reset();
        Volatile.Write(ref pending, partCount - 1);
        for (int i = 1; i < partCount; i++)
        {
            items[i].Arm(partCount);
            ThreadPool.UnsafeQueueUserWorkItem(items[i], preferLocal: false);
        }

        RunPart(0, partCount);
        for (int i = 1; i < partCount; i++)
        {
            items[i].Execute();
        }

        done.Wait();
        failure?.Throw();
    }

    /// <summary>Does part <paramref name="part"/> of <paramref name="partCount"/>.</summary>
    protected abstract void Execute(int part, int partCount);

    private void RunPart(int part, int partCount)
    {
        try
        {
            Execute(part, partCount);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
        }
    }

    /// <summary>
    /// One queued part. Whoever claims it first (a pool thread, or the caller after its own part) runs it; the other
    /// finds it claimed and returns. A pool execution left over from an earlier run finds it claimed too.
    /// </summary>
    private sealed class PartItem(ParallelJob job, int part) : IThreadPoolWorkItem
    {
        private int count;
        private int claimed = 1;

        public void Arm(int partCount)
        {
            count = partCount;
            Volatile.Write(ref claimed, 0);
        }

        public void Execute()
        {
            if (Interlocked.Exchange(ref claimed, 1) != 0)
            {
                return;
            }

            job.RunPart(part, count);
            if (Interlocked.Decrement(ref job.pending) == 0)
            {
                job.done.Set();
            }
        }
    }
}
