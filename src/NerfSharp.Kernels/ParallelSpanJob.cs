namespace NerfSharp.Kernels;

/// <summary>
/// A <see cref="ParallelJob"/> whose parts read one span and write another (a batch's input and output): the spans
/// are pinned for the duration of <see cref="Run(int, ReadOnlySpan{float}, Span{float})"/> and handed to every part,
/// so callers can parallelise work on spans they do not own without copying them. Parts must write disjoint elements.
/// </summary>
public abstract unsafe class ParallelSpanJob : ParallelJob
{
    private float* input;
    private int inputLength;
    private float* output;
    private int outputLength;

    /// <summary>Runs parts 0..partCount-1 on <paramref name="source"/> and <paramref name="destination"/> (either may be empty).</summary>
    public void Run(int partCount, ReadOnlySpan<float> source, Span<float> destination)
    {
        fixed (float* pi = source, po = destination)
        {
            input = pi;
            inputLength = source.Length;
            output = po;
            outputLength = destination.Length;
            try
            {
                Run(partCount);
            }
            finally
            {
                input = null;
                output = null;
                inputLength = outputLength = 0;
            }
        }
    }

    /// <summary>Does part <paramref name="part"/> of <paramref name="partCount"/> on the pinned spans.</summary>
    protected abstract void Execute(int part, int partCount, ReadOnlySpan<float> source, Span<float> destination);

    protected sealed override void Execute(int part, int partCount) =>
        Execute(part, partCount, new ReadOnlySpan<float>(input, inputLength), new Span<float>(output, outputLength));
}
