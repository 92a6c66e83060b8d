namespace NerfSharp.Losses;

/// <summary>Which per-element penalty <see cref="RgbLoss"/> applies to the difference d = prediction - target.</summary>
public enum RgbLossKind
{
    /// <summary>Squared error d^2 (torch's MSELoss; nerfstudio's nerfacto and vanilla NeRF).</summary>
    Mse,

    /// <summary>
    /// Smooth L1 with threshold delta, as torch's HuberLoss: d^2 / 2 where |d| &lt; delta, else delta (|d| - delta / 2).
    /// </summary>
    Huber,
}

/// <summary>
/// The photometric loss between rendered and ground-truth pixel values: the mean over elements of a per-element
/// penalty (<see cref="RgbLossKind"/>). The mean's denominator is given explicitly, so a batch can be evaluated in
/// chunks: each chunk passes the whole batch's element count, and the chunks' losses and gradients add up to the
/// batch's. Sums run in double.
/// </summary>
public sealed class RgbLoss
{
    public RgbLoss(RgbLossKind kind, double huberDelta = 1.0)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown loss kind");
        }

        if (!(huberDelta > 0) || double.IsInfinity(huberDelta))
        {
            throw new ArgumentOutOfRangeException(nameof(huberDelta), huberDelta, "the Huber threshold must be positive and finite");
        }

        Kind = kind;
        HuberDelta = huberDelta;
    }

    public RgbLossKind Kind { get; }

    /// <summary>Where the Huber penalty turns from quadratic to linear (ignored for <see cref="RgbLossKind.Mse"/>).</summary>
    public double HuberDelta { get; }

    /// <summary>The mean over all of <paramref name="prediction"/>'s elements; see the overload with a denominator.</summary>
    public double Evaluate(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dLdPrediction) =>
        Evaluate(prediction, target, dLdPrediction, prediction.Length);

    /// <summary>
    /// Returns sum_i penalty(prediction_i - target_i) / <paramref name="meanDenominator"/> and, when
    /// <paramref name="dLdPrediction"/> is non-empty, OVERWRITES it with penalty'(d_i) / meanDenominator
    /// (Mse: 2 d; Huber: d where |d| &lt; delta, else delta sign(d); the Huber derivative is continuous at |d| = delta,
    /// where both branches give delta sign(d)). Returns 0 for empty spans.
    /// </summary>
    public double Evaluate(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dLdPrediction, double meanDenominator)
    {
        if (target.Length != prediction.Length)
        {
            throw new ArgumentException($"target holds {target.Length} values, prediction {prediction.Length}", nameof(target));
        }

        if (!dLdPrediction.IsEmpty && dLdPrediction.Length < prediction.Length)
        {
            throw new ArgumentException($"dLdPrediction holds {dLdPrediction.Length} values, expected 0 or {prediction.Length}", nameof(dLdPrediction));
        }

        if (!(meanDenominator > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(meanDenominator), meanDenominator, "the mean's denominator must be positive");
        }

        double scale = 1.0 / meanDenominator;
        bool gradient = !dLdPrediction.IsEmpty;
        double sum = 0;
        if (Kind == RgbLossKind.Mse)
        {
            for (int i = 0; i < prediction.Length; i++)
            {
                double d = (double)prediction[i] - target[i];
                sum += d * d;
                if (gradient)
                {
                    dLdPrediction[i] = (float)(2 * d * scale);
                }
            }
        }
        else
        {
            double delta = HuberDelta;
            for (int i = 0; i < prediction.Length; i++)
            {
                double d = (double)prediction[i] - target[i];
                double a = Math.Abs(d);
                bool quadratic = a < delta;
                sum += quadratic ? 0.5 * d * d : delta * (a - (0.5 * delta));
                if (gradient)
                {
                    dLdPrediction[i] = (float)((quadratic ? d : Math.CopySign(delta, d)) * scale);
                }
            }
        }

        return sum * scale;
    }
}
