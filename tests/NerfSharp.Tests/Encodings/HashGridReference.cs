using NerfSharp.Encodings;

namespace NerfSharp.Tests.Encodings;

/// <summary>
/// A straightforward double-precision hash encoding written from tiny-cuda-nn's definitions, independent of the fast
/// kernels: per point, per level, per corner. Only the grid position p = fma(scale, x, 0.5) is computed in float
/// (as the definition says), so both implementations pick the same cell; weights, sums and gradients are in double.
/// Parameter gradients come back sparse (entry-feature index -> value) so the default config's 12M floats need no
/// dense double copy.
/// </summary>
internal static class HashGridReference
{
    public sealed record Level(int Offset, int TableSize, int Resolution, float Scale, bool Dense);

    public static Level[] Levels(HashGridConfig c)
    {
        double b = c.Levels == 1 ? 1.0 : Math.Exp((Math.Log(c.MaxResolution) - Math.Log(c.BaseResolution)) / (c.Levels - 1));
        var levels = new Level[c.Levels];
        int offset = 0;
        for (int l = 0; l < c.Levels; l++)
        {
            float scale = (float)((Math.Pow(2, l * Math.Log2(b)) * c.BaseResolution) - 1);
            int r = (int)Math.Ceiling(scale) + 1;
            long dense = (long)r * r * r;
            int size = (int)Math.Min((dense + 7) / 8 * 8, 1L << c.Log2TableSize);
            levels[l] = new Level(offset, size, r, scale, dense <= size);
            offset += size;
        }

        return levels;
    }

    /// <summary>tiny-cuda-nn's grid_index, literally: strides while they fit, else the prime hash; then mod T.</summary>
    public static uint Index(Level level, uint[] pos)
    {
        uint[] primes = [1u, 2654435761u, 805459861u];
        ulong stride = 1;
        uint index = 0;
        for (int d = 0; d < 3 && stride <= (ulong)level.TableSize; d++)
        {
            index += pos[d] * (uint)stride;
            stride *= (ulong)level.Resolution;
        }

        if ((ulong)level.TableSize < stride)
        {
            index = 0;
            for (int d = 0; d < 3; d++)
            {
                index ^= pos[d] * primes[d];
            }
        }

        return index % (uint)level.TableSize;
    }

    public static double[] Forward(HashGridConfig c, float[] table, float[] input, int count)
    {
        var output = new double[c.Levels * c.FeaturesPerLevel * count];
        Run(c, input, count, (l, i, entry, w, _) =>
        {
            for (int f = 0; f < c.FeaturesPerLevel; f++)
            {
                output[(((l * c.FeaturesPerLevel) + f) * count) + i] += w * table[(entry * c.FeaturesPerLevel) + f];
            }
        });
        return output;
    }

    /// <summary>Parameter gradients (sparse, accumulated from zero) and dL/dpositions [3][count].</summary>
    public static (Dictionary<long, double> Params, double[] Input) Backward(HashGridConfig c, float[] table, float[] input, int count, float[] dLdOutput)
    {
        var dParams = new Dictionary<long, double>();
        var dInput = new double[3 * count];
        int nf = c.FeaturesPerLevel;
        Run(c, input, count, (l, i, entry, w, dw) =>
        {
            double s = 0;
            for (int f = 0; f < nf; f++)
            {
                double g = dLdOutput[(((l * nf) + f) * count) + i];
                long k = ((long)entry * nf) + f;
                dParams[k] = dParams.GetValueOrDefault(k) + (w * g);
                s += table[k] * g;
            }

            for (int d = 0; d < 3; d++)
            {
                dInput[(d * count) + i] += dw[d] * s;
            }
        });
        return (dParams, dInput);
    }

    /// <summary>
    /// Calls visit(level, point, global entry, weight, dweight/dx[3]) for every corner of every point and level.
    /// </summary>
    private static void Run(HashGridConfig c, float[] input, int count, Action<int, int, int, double, double[]> visit)
    {
        Level[] levels = Levels(c);
        var cell = new uint[3];
        var frac = new double[3];
        var dpos = new double[3];
        var corner = new uint[3];
        var dw = new double[3];
        for (int l = 0; l < levels.Length; l++)
        {
            Level level = levels[l];
            for (int i = 0; i < count; i++)
            {
                for (int d = 0; d < 3; d++)
                {
                    float x = input[(d * count) + i];
                    bool inside = x >= 0 && x <= 1;
                    float clamped = inside ? x : (x > 1 ? 1f : 0f);
                    float p = MathF.FusedMultiplyAdd(level.Scale, clamped, 0.5f);
                    float fl = MathF.Floor(p);
                    cell[d] = (uint)fl;
                    frac[d] = p - fl;
                    dpos[d] = inside ? level.Scale : 0;
                }

                for (int cIdx = 0; cIdx < 8; cIdx++)
                {
                    double w = 1;
                    for (int d = 0; d < 3; d++)
                    {
                        bool upper = ((cIdx >> d) & 1) != 0;
                        corner[d] = cell[d] + (upper ? 1u : 0u);
                        w *= upper ? frac[d] : 1 - frac[d];
                    }

                    for (int d = 0; d < 3; d++)
                    {
                        double others = 1;
                        for (int e = 0; e < 3; e++)
                        {
                            if (e != d)
                            {
                                others *= ((cIdx >> e) & 1) != 0 ? frac[e] : 1 - frac[e];
                            }
                        }

                        dw[d] = (((cIdx >> d) & 1) != 0 ? 1 : -1) * others * dpos[d];
                    }

                    int entry = level.Offset + (int)Index(level, corner);
                    visit(l, i, entry, w, dw);
                }
            }
        }
    }
}
