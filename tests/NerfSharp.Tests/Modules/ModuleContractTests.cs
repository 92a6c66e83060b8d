using NerfSharp.Encodings;
using NerfSharp.Modules;
using NerfSharp.Networks;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Modules;

/// <summary>
/// Every differentiable module checked the same way through <see cref="IDifferentiableModule"/> alone
/// (<see cref="ModuleGradientCheck"/>): the ngp model's hash encoding, SH encoding and both MLP presets, plus the contract's
/// shape rules (widths, parameter counts matching the store, capacity checks).
/// </summary>
public sealed class ModuleContractTests
{
    private const int Count = 150;

    public static TheoryData<string> Modules => ["hashgrid", "sh", "ngp-density", "ngp-color", "mlp-bias-truncexp"];

    [Theory]
    [MemberData(nameof(Modules))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var (module, store, input, checkInputs) = Create(name);
        // ReLU kinks and float rounding: 5% (the modules' own tests compare against double references far more tightly).
        var (parameters, inputs) = ModuleGradientCheck.Check(module, store, input, Count, checkInputs, tolerance: 5e-2);
        if (module.ParameterCount > 0)
        {
            Assert.NotNull(parameters);
            Assert.True(parameters.Probes >= 16, $"{name}: only {parameters.Probes} parameter probes");
        }

        if (checkInputs)
        {
            Assert.NotNull(inputs);
        }
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void ShapesFollowTheContract(string name)
    {
        var (module, store, input, _) = Create(name);
        Assert.Equal(store.Count, module.ParameterCount);
        ModuleContext context = module.CreateContext(Count);
        Assert.Equal(Count, context.Capacity);
        var output = new float[module.OutputWidth * Count];
        module.Forward(input, Count, output, context);
        Assert.Equal(Count, context.Count);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
        Assert.ThrowsAny<ArgumentException>(() => module.Forward(new float[module.InputWidth * (Count + 1)], Count + 1, new float[module.OutputWidth * (Count + 1)], context));
    }

    private static (IDifferentiableModule Module, ParameterStore Store, float[] Input, bool CheckInputs) Create(string name)
    {
        var store = new ParameterStore();
        IDifferentiableModule module = name switch
        {
            "hashgrid" => new HashGridEncoding(new HashGridConfig(Levels: 4, FeaturesPerLevel: 2, Log2TableSize: 10, BaseResolution: 4, MaxResolution: 32), store, "enc"),
            "sh" => new SphericalHarmonicsEncoding(4),
            "ngp-density" => new Mlp(MlpPresets.NgpDensity(32), store, "density"),
            "ngp-color" => new Mlp(MlpPresets.NgpColor(31), store, "color"),
            _ => new Mlp(new MlpConfig(7, [new MlpLayer(16, Activation.Sigmoid), new MlpLayer(5, Activation.TruncExp)], Bias: true), store, "m"),
        };
        store.Freeze();
        var rng = new Rng(23);
        module.Initialize(rng);
        if (name == "hashgrid")
        {
            // Table entries of order 1 (instant-ngp starts them at 1e-4), so differences are well above float rounding.
            for (int i = 0; i < store.Count; i++)
            {
                store.Values[i] = (rng.NextFloat() * 2) - 1;
            }
        }

        var input = new float[module.InputWidth * Count];
        for (int i = 0; i < Count; i++)
        {
            if (name == "sh")
            {
                double x = rng.NextGaussian(), y = rng.NextGaussian(), z = rng.NextGaussian(), n = Math.Sqrt((x * x) + (y * y) + (z * z));
                input[i] = (float)(x / n);
                input[Count + i] = (float)(y / n);
                input[(2 * Count) + i] = (float)(z / n);
            }
            else
            {
                for (int f = 0; f < module.InputWidth; f++)
                {
                    input[(f * Count) + i] = name == "hashgrid" ? rng.NextFloat() : (rng.NextFloat() * 2) - 1;
                }
            }
        }

        // The hash grid's input gradient is checked by its own tests with probes kept away from cell faces.
        return (module, store, input, CheckInputs: name != "hashgrid");
    }
}
