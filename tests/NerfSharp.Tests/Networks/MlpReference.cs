using NerfSharp.Networks;
using NerfSharp.Parameters;

namespace NerfSharp.Tests.Networks;

/// <summary>
/// A plain MLP in double precision, one item at a time, reading the parameters by name from a
/// <see cref="ParameterStore"/>: forward, and backward by the chain rule written out (parameter gradients and input
/// gradients). The oracle the blocked <see cref="Mlp"/> is compared with.
/// </summary>
internal sealed class MlpReference(MlpConfig config, ParameterStore store, string prefix)
{
    private readonly string p = prefix.Length == 0 ? string.Empty : prefix + ".";

    public int OutputWidth => config.Layers[^1].Outputs;

    public static double Act(Activation a, double x) => a switch
    {
        Activation.None => x,
        Activation.Relu => Math.Max(x, 0),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.TruncExp => Math.Exp(x),
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public static double Derivative(Activation a, double x)
    {
        switch (a)
        {
            case Activation.None:
                return 1;
            case Activation.Relu:
                return x > 0 ? 1 : 0;
            case Activation.Sigmoid:
                double s = 1 / (1 + Math.Exp(-x));
                return s * (1 - s);
            default:
                return Math.Exp(Math.Clamp(x, -15.0, 15.0));
        }
    }

    /// <summary>Feature-major forward of <paramref name="count"/> items; pre-activations of every layer go to <paramref name="pre"/> if given.</summary>
    public double[] Forward(ReadOnlySpan<float> input, int count, List<double[][]>? pre = null)
    {
        var output = new double[OutputWidth * count];
        for (int i = 0; i < count; i++)
        {
            double[] h = Item(input, count, i);
            double[][] pres = new double[config.Layers.Count][];
            h = ForwardItem(h, pres);
            pre?.Add(pres);
            for (int o = 0; o < h.Length; o++)
            {
                output[(o * count) + i] = h[o];
            }
        }

        return output;
    }

    /// <summary>
    /// Backward of the forward over <paramref name="input"/>: returns dL/dparams (the store's layout, zero outside this
    /// network's tensors) and dL/dinput (feature-major).
    /// </summary>
    public (double[] Params, double[] Input) Backward(ReadOnlySpan<float> input, int count, ReadOnlySpan<float> dLdOutput)
    {
        var dParams = new double[store.Count];
        var dInput = new double[config.InputWidth * count];
        int layers = config.Layers.Count;
        for (int i = 0; i < count; i++)
        {
            double[] x = Item(input, count, i);
            var pres = new double[layers][];
            var posts = new double[layers + 1][];
            posts[0] = x;
            for (int l = 0; l < layers; l++)
            {
                pres[l] = Linear(l, posts[l]);
                posts[l + 1] = pres[l].Select(v => Act(config.Layers[l].Activation, v)).ToArray();
            }

            double[] g = new double[OutputWidth];
            for (int o = 0; o < g.Length; o++)
            {
                g[o] = dLdOutput[(o * count) + i];
            }

            for (int l = layers - 1; l >= 0; l--)
            {
                Activation a = config.Layers[l].Activation;
                double[] dpre = g.Select((v, n) => v * Derivative(a, pres[l][n])).ToArray();
                ParameterTensor w = store[$"{p}layers.{l}.weight"];
                int inputs = w.Shape[1];
                ReadOnlySpan<float> wv = store.ValuesOf(w);
                var dx = new double[inputs];
                for (int n = 0; n < dpre.Length; n++)
                {
                    for (int k = 0; k < inputs; k++)
                    {
                        dParams[w.Offset + (n * inputs) + k] += dpre[n] * posts[l][k];
                        dx[k] += wv[(n * inputs) + k] * dpre[n];
                    }

                    if (config.Bias)
                    {
                        dParams[store[$"{p}layers.{l}.bias"].Offset + n] += dpre[n];
                    }
                }

                g = dx;
            }

            for (int k = 0; k < config.InputWidth; k++)
            {
                dInput[(k * count) + i] = g[k];
            }
        }

        return (dParams, dInput);
    }

    private double[] Item(ReadOnlySpan<float> input, int count, int i)
    {
        var h = new double[config.InputWidth];
        for (int k = 0; k < h.Length; k++)
        {
            h[k] = input[(k * count) + i];
        }

        return h;
    }

    private double[] ForwardItem(double[] h, double[][] pres)
    {
        for (int l = 0; l < config.Layers.Count; l++)
        {
            pres[l] = Linear(l, h);
            Activation a = config.Layers[l].Activation;
            h = pres[l].Select(v => Act(a, v)).ToArray();
        }

        return h;
    }

    private double[] Linear(int layer, double[] x)
    {
        ParameterTensor w = store[$"{p}layers.{layer}.weight"];
        int outputs = w.Shape[0], inputs = w.Shape[1];
        ReadOnlySpan<float> wv = store.ValuesOf(w);
        ReadOnlySpan<float> bv = config.Bias ? store.ValuesOf(store[$"{p}layers.{layer}.bias"]) : default;
        var y = new double[outputs];
        for (int n = 0; n < outputs; n++)
        {
            double s = config.Bias ? bv[n] : 0;
            for (int k = 0; k < inputs; k++)
            {
                s += wv[(n * inputs) + k] * x[k];
            }

            y[n] = s;
        }

        return y;
    }
}
