using System.Runtime.Intrinsics.X86;

namespace NerfSharp.Kernels;

/// <summary>
/// Software prefetch for the GEMM drivers (x86 PREFETCHT0; nothing elsewhere). The hardware prefetchers do not run
/// far enough ahead for what the MLP touches for the first time in a while: outputs written into fresh saved-activation
/// memory, saved activations read back in backward, and weight-gradient partials (the partials of all layers exceed L2).
/// Measured on the MLP bench: about +5% single-threaded.
/// </summary>
internal static unsafe class CachePrefetch
{
    /// <summary>
    /// The lines of <paramref name="points"/> points of a blocked matrix starting at point <paramref name="point"/> of
    /// block <paramref name="block"/>, continuing into the next block when the point range runs past <paramref name="count"/>.
    /// </summary>
    public static void BlockedPoints(float* y, nint blockStride, int blocks, int count, int block, int point, int points)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        if (point >= count)
        {
            block++;
            point -= count;
        }

        for (int i = 0; i < points; i++, point++)
        {
            if (point >= count)
            {
                block++;
                point = 0;
            }

            if (block >= blocks)
            {
                return;
            }

            Sse.Prefetch0(y + (block * blockStride) + (point * BlockedLayout.BlockWidth));
        }
    }

    /// <summary>The 64-byte lines at columns [kb0, kb1) x 16 of rows [n0, n1) of a row-major matrix with row stride <paramref name="rowStride"/>.</summary>
    public static void Rows(float* g, nint rowStride, int n0, int n1, int kb0, int kb1)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int n = n0; n < n1; n++)
        {
            for (int kb = kb0; kb < kb1; kb++)
            {
                Sse.Prefetch0(g + (n * rowStride) + (kb * BlockedLayout.BlockWidth));
            }
        }
    }
}
