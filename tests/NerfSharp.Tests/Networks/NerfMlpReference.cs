using NerfSharp.Parameters;
using NerfSharp.Networks;
using NerfSharp.Training;

namespace NerfSharp.Tests.Networks;

/// <summary>
/// nerf-pytorch's NeRF.forward written out plainly in double precision, one point at a time, reading the
/// parameters by name from a <see cref="ParameterStore"/>: the oracle for finite-difference gradient checks.
/// </summary>
internal sealed class NerfMlpReference(NerfMlpConfig config, ParameterStore store, string prefix)
{
    private readonly string p = prefix.Length == 0 ? string.Empty : prefix + ".";

    /// <summary>Output [r, g, b, sigma] of one point; every pre-activation of a ReLU goes to <paramref name="preActivations"/> if given.</summary>
    public double[] Forward(ReadOnlySpan<double> x, List<double>? preActivations = null)
    {
        double[] pts = x[..config.PointChannels].ToArray();
        double[] h = pts;
        for (int i = 0; i < config.Depth; i++)
        {
            h = Relu(Linear($"pts_linears.{i}", h), preActivations);
            if (i == config.Skip)
            {
                h = [.. pts, .. h];
            }
        }

        if (!config.UseViewDirs)
        {
            return Linear("output_linear", h);
        }

        double[] alpha = Linear("alpha_linear", h);
        double[] feature = Linear("feature_linear", h);
        double[] hv = Relu(Linear("views_linears.0", [.. feature, .. x.Slice(config.PointChannels, config.ViewChannels)]), preActivations);
        double[] rgb = Linear("rgb_linear", hv);
        return [.. rgb, alpha[0]];
    }

    /// <summary>Loss sum(output * weights) over a feature-major float batch, in double.</summary>
    public double Loss(float[] input, int count, double[] outputWeights)
    {
        int width = config.PointChannels + (config.UseViewDirs ? config.ViewChannels : 0);
        double loss = 0;
        var x = new double[width];
        for (int q = 0; q < count; q++)
        {
            for (int f = 0; f < width; f++)
            {
                x[f] = input[(f * count) + q];
            }

            double[] y = Forward(x);
            for (int r = 0; r < 4; r++)
            {
                loss += y[r] * outputWeights[(r * count) + q];
            }
        }

        return loss;
    }

    private double[] Linear(string name, double[] x)
    {
        ParameterTensor wt = store[p + name + ".weight"];
        ReadOnlySpan<float> w = store.ValuesOf(wt);
        ReadOnlySpan<float> b = store.ValuesOf(store[p + name + ".bias"]);
        int outputs = wt.Shape[0], inputs = wt.Shape[1];
        Assert.Equal(inputs, x.Length);
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double s = b[o];
            for (int k = 0; k < inputs; k++)
            {
                s += w[(o * inputs) + k] * x[k];
            }

            y[o] = s;
        }

        return y;
    }

    private static double[] Relu(double[] z, List<double>? preActivations)
    {
        preActivations?.AddRange(z);
        return z.Select(v => Math.Max(v, 0.0)).ToArray();
    }
}
