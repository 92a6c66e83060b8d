using NerfSharp.Encodings;
using NerfSharp.Kernels;
using NerfSharp.Tests.Encodings;

namespace NerfSharp.Tests.Kernels;

/// <summary>The spherical-harmonics kernels' Vector256/Vector512 paths against the scalar path, every tail length 0..257.</summary>
public class SphericalHarmonicsKernelTests
{
    [Theory]
    [InlineData(SimdPath.Vector256)]
    [InlineData(SimdPath.Vector512)]
    [InlineData(SimdPath.Auto)]
    public void VectorPathsEqualTheScalarPathForEveryLength(SimdPath path)
    {
        for (int degree = 1; degree <= 4; degree++)
        {
            int width = degree * degree;
            for (int count = 0; count <= 257; count++)
            {
                float[] input = SphericalHarmonicsEncodingTests.RandomDirections(count, seed: count);
                var expected = new float[width * count];
                var actual = new float[width * count];
                SphericalHarmonicsKernel.Forward(SimdPath.Scalar, degree, input, count, expected);
                SphericalHarmonicsKernel.Forward(path, degree, input, count, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"forward, degree {degree}, count {count}");

                var rng = new Random(count);
                var dLdOutput = new float[width * count];
                for (int i = 0; i < dLdOutput.Length; i++)
                {
                    dLdOutput[i] = (float)((rng.NextDouble() * 2) - 1);
                }

                var expectedGradient = new float[3 * count];
                var actualGradient = new float[3 * count];
                SphericalHarmonicsKernel.Backward(SimdPath.Scalar, degree, input, count, dLdOutput, expectedGradient);
                SphericalHarmonicsKernel.Backward(path, degree, input, count, dLdOutput, actualGradient);
                Assert.True(expectedGradient.AsSpan().SequenceEqual(actualGradient), $"backward, degree {degree}, count {count}");
            }
        }
    }
}
