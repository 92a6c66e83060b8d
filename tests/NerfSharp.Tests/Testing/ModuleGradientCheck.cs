using NerfSharp.Modules;
using NerfSharp.Parameters;

namespace NerfSharp.Tests.Testing;

/// <summary>
/// The finite-difference check of any <see cref="IDifferentiableModule"/> through its contract alone: the loss is
/// sum(output * r) for a fixed random r (accumulated in double), the analytic gradients come from one Backward with
/// dL/doutput = r, and <see cref="GradientCheck"/> compares them with central differences of Forward, for the module's
/// parameters (its slice of the store) and, when asked, its inputs. Every module gets checked the same way.
/// </summary>
public static class ModuleGradientCheck
{
    /// <summary>
    /// Checks <paramref name="module"/> on <paramref name="input"/> ([InputWidth][count], modified and restored during
    /// the check). <paramref name="skipInput"/> excludes input entries near kinks (cell faces, ReLU zeros).
    /// </summary>
    public static (GradientCheck.Result? Parameters, GradientCheck.Result? Inputs) Check(
        IDifferentiableModule module,
        ParameterStore store,
        float[] input,
        int count,
        bool checkInputs,
        double eps = 1e-3,
        double tolerance = 2e-2,
        Func<int, bool>? skipInput = null,
        int seed = 17)
    {
        Assert.Equal(module.InputWidth * count, input.Length);
        ModuleContext context = module.CreateContext(count);
        var output = new float[module.OutputWidth * count];
        double[] r = GradientCheck.RandomWeights(output.Length, seed);
        var dLdOutput = new float[output.Length];
        for (int i = 0; i < r.Length; i++)
        {
            dLdOutput[i] = (float)r[i];
        }

        double Loss()
        {
            module.Forward(input, count, output, context);
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
            {
                sum += output[i] * r[i];
            }

            return sum;
        }

        store.ZeroGradients();
        Loss();
        var dLdInput = new float[input.Length];
        module.Backward(context, dLdOutput, checkInputs ? dLdInput : []);
        float[] parameterGradients = (float[])store.Gradients.Clone();

        GradientCheck.Result? parameters = null;
        if (module.ParameterCount > 0)
        {
            double scale = parameterGradients.Max(v => Math.Abs((double)v));
            parameters = GradientCheck.Check(
                store.Values, Loss, parameterGradients, probes: 48, eps: eps, tolerance: tolerance, floor: 1e-3 * Math.Max(scale, 1e-6), seed: seed,
                skip: i => Math.Abs(parameterGradients[i]) < 1e-3 * scale);
        }

        GradientCheck.Result? inputs = null;
        if (checkInputs)
        {
            double scale = dLdInput.Max(v => Math.Abs((double)v));
            inputs = GradientCheck.Check(
                input, Loss, dLdInput, probes: 48, eps: eps, tolerance: tolerance, floor: 1e-3 * Math.Max(scale, 1e-6), seed: seed + 1, skip: skipInput);
        }

        return (parameters, inputs);
    }
}
