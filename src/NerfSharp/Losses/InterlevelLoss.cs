using System.Buffers;
using NerfSharp.Rendering;

namespace NerfSharp.Losses;

/// <summary>
/// mip-NeRF 360's proposal (interlevel) loss as nerfstudio's <c>interlevel_loss</c> / <c>lossfun_outer</c>, over packed
/// ragged samples of two levels of the same rays: the final (NeRF) level's intervals and weights w_i, held fixed (no
/// gradient), and one proposal level's intervals and weights p_j, which receive the gradient. For each final interval
/// [s_i, e_i] the proposal histogram's outer bound is
/// W_i = sum_(j = lo_i..hi_i) p_j, lo_i = (number of proposal starts &lt;= s_i) - 1, hi_i = number of proposal ends &lt;= e_i,
/// both clamped to [0, n_proposal - 1] (nerfstudio's searchsorted + clamp), and the loss is
/// sum_i max(w_i - W_i, 0)^2 / (w_i + 1e-7): the proposal must cover, from above, the weight the NeRF puts in every
/// interval. nerfstudio takes the mean over the final level's samples per proposal level and sums the levels: call
/// once per level with scale = multiplier / (final samples). Coordinates: nerfstudio's normalised spacing s for both
/// levels (any coordinate works if both levels use the same).
/// <para>Within each ray the starts and the ends of both levels must be non-decreasing (sorted samples). A ray may
/// have no final samples (adds nothing) or no proposal samples (W_i = 0). Sums run in double; per-ray scratch of
/// n_proposal + 1 doubles is on the stack up to 512 proposal samples, else rented from the shared pool.</para>
/// </summary>
public static class InterlevelLoss
{
    /// <summary>nerfstudio's EPS in the denominator w + EPS.</summary>
    public const double Epsilon = 1e-7;

    private const int StackLimit = 512;

    /// <summary>scale * sum over final samples of max(w_i - W_i, 0)^2 / (w_i + 1e-7).</summary>
    public static double Forward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> start,
        ReadOnlySpan<float> end,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<int> proposalRayStart,
        ReadOnlySpan<int> proposalRayCount,
        ReadOnlySpan<float> proposalStart,
        ReadOnlySpan<float> proposalEnd,
        ReadOnlySpan<float> proposalWeights,
        double scale)
    {
        return Run(rayStart, rayCount, start, end, weights, proposalRayStart, proposalRayCount, proposalStart, proposalEnd, proposalWeights, scale, []);
    }

    /// <summary>
    /// dL/dp_j = scale sum_i [lo_i &lt;= j &lt;= hi_i] (-2 max(w_i - W_i, 0) / (w_i + 1e-7)), ADDED into
    /// <paramref name="dLdProposalWeights"/> (the proposal level's dL/dweights, before its <see cref="RenderWeights.Backward"/>).
    /// Returns the loss, as <see cref="Forward"/>.
    /// </summary>
    public static double Backward(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> start,
        ReadOnlySpan<float> end,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<int> proposalRayStart,
        ReadOnlySpan<int> proposalRayCount,
        ReadOnlySpan<float> proposalStart,
        ReadOnlySpan<float> proposalEnd,
        ReadOnlySpan<float> proposalWeights,
        double scale,
        Span<float> dLdProposalWeights)
    {
        if (dLdProposalWeights.IsEmpty && proposalWeights.Length > 0)
        {
            throw new ArgumentException("dLdProposalWeights is empty", nameof(dLdProposalWeights));
        }

        return Run(rayStart, rayCount, start, end, weights, proposalRayStart, proposalRayCount, proposalStart, proposalEnd, proposalWeights, scale, dLdProposalWeights);
    }

    private static double Run(
        ReadOnlySpan<int> rayStart,
        ReadOnlySpan<int> rayCount,
        ReadOnlySpan<float> start,
        ReadOnlySpan<float> end,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<int> proposalRayStart,
        ReadOnlySpan<int> proposalRayCount,
        ReadOnlySpan<float> proposalStart,
        ReadOnlySpan<float> proposalEnd,
        ReadOnlySpan<float> proposalWeights,
        double scale,
        Span<float> dLdProposal)
    {
        bool gradient = !dLdProposal.IsEmpty;
        PackedSamples.CheckRanges(rayStart, rayCount, Math.Min(weights.Length, Math.Min(start.Length, end.Length)), "start, end and weights");
        int proposalCapacity = Math.Min(proposalWeights.Length, Math.Min(proposalStart.Length, proposalEnd.Length));
        if (gradient)
        {
            proposalCapacity = Math.Min(proposalCapacity, dLdProposal.Length);
        }

        PackedSamples.CheckRanges(proposalRayStart, proposalRayCount, proposalCapacity, "proposalStart, proposalEnd, proposalWeights and dLdProposalWeights");
        if (proposalRayStart.Length != rayStart.Length)
        {
            throw new ArgumentException($"the final level has {rayStart.Length} rays, the proposal level {proposalRayStart.Length}");
        }

        int most = 0;
        foreach (int n in proposalRayCount)
        {
            most = Math.Max(most, n);
        }

        double[]? rented = most + 1 > StackLimit ? ArrayPool<double>.Shared.Rent(2 * (most + 1)) : null;
        Span<double> scratch = rented ?? stackalloc double[2 * StackLimit];
        try
        {
            double total = 0;
            for (int r = 0; r < rayStart.Length; r++)
            {
                int n = proposalRayCount[r];
                int p0 = proposalRayStart[r];
                ReadOnlySpan<float> ps = proposalStart.Slice(p0, n), pe = proposalEnd.Slice(p0, n);

                // cumulative[k] = sum_(j<k) p_j; the outer bound of [lo, hi] is cumulative[hi + 1] - cumulative[lo].
                Span<double> cumulative = scratch[..(n + 1)];
                cumulative[0] = 0;
                for (int j = 0; j < n; j++)
                {
                    cumulative[j + 1] = cumulative[j] + proposalWeights[p0 + j];
                }

                // Gradient as a difference array over j: d(W_i)/dp_j = [j <= hi] - [j < lo], so each sample adds its
                // coefficient c at hi and subtracts it at lo - 1; a suffix sum then gives sum_i c_i d(W_i)/dp_j.
                Span<double> difference = scratch.Slice(n + 1, n + 1);
                difference.Clear();
                int end0 = rayStart[r] + rayCount[r];
                for (int i = rayStart[r]; i < end0; i++)
                {
                    double outer = 0;
                    int lo = 0, hi = -1;
                    if (n > 0)
                    {
                        lo = Math.Clamp(CountAtMost(ps, start[i]) - 1, 0, n - 1);
                        hi = Math.Clamp(CountAtMost(pe, end[i]), 0, n - 1);
                        outer = cumulative[hi + 1] - cumulative[lo];
                    }

                    double w = weights[i];
                    double excess = Math.Max(w - outer, 0);
                    total += excess * excess / (w + Epsilon);
                    if (gradient && excess > 0 && n > 0)
                    {
                        double c = -2 * excess / (w + Epsilon);
                        difference[hi] += c;
                        if (lo > 0)
                        {
                            difference[lo - 1] -= c;
                        }
                    }
                }

                if (gradient)
                {
                    double suffix = 0;
                    for (int j = n - 1; j >= 0; j--)
                    {
                        suffix += difference[j];
                        dLdProposal[p0 + j] = (float)(dLdProposal[p0 + j] + (scale * suffix));
                    }
                }
            }

            return scale * total;
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>How many of the sorted values are &lt;= x (torch.searchsorted with side="right").</summary>
    private static int CountAtMost(ReadOnlySpan<float> sorted, float x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
