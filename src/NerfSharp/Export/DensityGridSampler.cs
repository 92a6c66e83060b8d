using NerfSharp.Fields;

namespace NerfSharp.Export;

/// <summary>
/// Fills a <see cref="DensityGrid"/> from a density field, one z layer of samples per query, layers in parallel (each
/// worker with its own query). Every layer is one batch whatever the thread count, so the values are the same on any
/// machine.
/// </summary>
public static class DensityGridSampler
{
    /// <summary>
    /// Samples the field at every grid point; <paramref name="onLayer"/> (called under a lock) gets the layers done and the
    /// layer count.
    /// </summary>
    public static void Fill(DensityGrid grid, Func<int, IDensityField> createQuery, Action<int, int>? onLayer = null, CancellationToken cancel = default)
    {
        int layer = grid.SamplesX * grid.SamplesY;
        int done = 0;
        var progressLock = new object();
        var options = new ParallelOptions { CancellationToken = cancel };
        Parallel.For(
            0,
            grid.SamplesZ,
            options,
            () => (Query: createQuery(layer), Positions: new float[3 * layer]),
            (k, _, worker) =>
            {
                float[] p = worker.Positions;
                for (int j = 0; j < grid.SamplesY; j++)
                {
                    for (int i = 0; i < grid.SamplesX; i++)
                    {
                        int s = 3 * ((j * grid.SamplesX) + i);
                        (p[s], p[s + 1], p[s + 2]) = grid.PositionOf(i, j, k);
                    }
                }

                worker.Query.QueryDensity(p, layer, grid.Values.AsSpan(grid.IndexOf(0, 0, k), layer));
                lock (progressLock)
                {
                    onLayer?.Invoke(++done, grid.SamplesZ);
                }

                return worker;
            },
            _ => { });
    }
}
