using NerfSharp.Kernels;
using NerfSharp.Modules;
using NerfSharp.Numerics;

namespace NerfSharp.Encodings;

/// <summary>
/// The direction encoding of instant-ngp and nerfacto: the real spherical harmonics of bands l = 0..degree-1
/// (degree 4: 16 outputs), with tiny-cuda-nn's constants, signs and basis order (Y_0 = 1/(2 sqrt(pi)),
/// Y_1 = -C y, Y_2 = C z, Y_3 = -C x, ...). No parameters.
/// <para>Input [3][count]: the unit direction itself, components in [-1, 1]. (tiny-cuda-nn's encoding takes
/// (d + 1) / 2 in [0, 1] and maps it back with 2 v - 1, so its input gradient is twice ours; nerfstudio feeds it
/// that shifted direction.) Output [degree^2][count], feature-major. The gradient is that of the polynomials on all
/// of R^3; it is not projected onto the sphere's tangent plane.</para>
/// </summary>
public sealed class SphericalHarmonicsEncoding : IDifferentiableModule
{
    public SphericalHarmonicsEncoding(int degree = 4, SimdPath path = SimdPath.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(degree, 4);
        Degree = degree;
        Path = path;
    }

    /// <summary>Bands l = 0..Degree-1.</summary>
    public int Degree { get; }

    /// <summary>Instruction-set path of the kernels (<see cref="SimdPath.Auto"/>: the widest accelerated one).</summary>
    public SimdPath Path { get; }

    public int InputWidth => 3;

    public int OutputWidth => Degree * Degree;

    public int ParameterCount => 0;

    public void Initialize(Rng rng)
    {
    }

    public ModuleContext CreateContext(int capacity) => new Context(capacity);

    /// <summary>Encodes <paramref name="count"/> directions and keeps a copy of them for <see cref="Backward"/>.</summary>
    public void Forward(ReadOnlySpan<float> input, int count, Span<float> output, ModuleContext context)
    {
        var c = CheckContext(context);
        c.CheckCount(count);
        CheckLength(input.Length, 3 * count, nameof(input));
        CheckLength(output.Length, OutputWidth * count, nameof(output));
        c.Count = count;
        input[..(3 * count)].CopyTo(c.Directions);
        SphericalHarmonicsKernel.Forward(Path, Degree, input, count, output);
    }

    /// <summary>No parameters; writes dL/ddirection [3][count] when <paramref name="dLdInput"/> is non-empty.</summary>
    public void Backward(ModuleContext context, ReadOnlySpan<float> dLdOutput, Span<float> dLdInput)
    {
        var c = CheckContext(context);
        if (dLdInput.IsEmpty)
        {
            return;
        }

        int count = c.Count;
        CheckLength(dLdOutput.Length, OutputWidth * count, nameof(dLdOutput));
        CheckLength(dLdInput.Length, 3 * count, nameof(dLdInput));
        SphericalHarmonicsKernel.Backward(Path, Degree, c.Directions, count, dLdOutput, dLdInput);
    }

    private static Context CheckContext(ModuleContext context) =>
        context as Context ?? throw new ArgumentException("the context was not created by a SphericalHarmonicsEncoding", nameof(context));

    private static void CheckLength(int length, int needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"{name} holds {length} values, expected {needed}", name);
        }
    }

    /// <summary>The directions of the last forward, [3][Count] with stride Count.</summary>
    private sealed class Context : ModuleContext
    {
        private readonly float[] directions;

        public Context(int capacity)
            : base(capacity)
        {
            directions = new float[3 * capacity];
        }

        public Span<float> Directions => directions.AsSpan(0, 3 * Count);
    }
}
