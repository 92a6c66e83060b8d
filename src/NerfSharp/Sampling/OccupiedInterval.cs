namespace NerfSharp.Sampling;

/// <summary>
/// The stretch of a ray between its first and last occupied cell of an <see cref="OccupancyGrid"/>: where a proposal
/// sampler needs to look in a bounded scene (nerfacc's occupancy-grid estimator used only to clip the ray). Defined on
/// the grid's marching lattice, exactly as <see cref="RayMarcher"/> marches without jitter: the interval runs from the
/// start of the first step whose midpoint is in an occupied cell to the end of the last such step, so it holds every
/// sample that marching would emit. The walk visits one step per cell crossed and skips empty mip blocks whole.
/// </summary>
public static class OccupiedInterval
{
    /// <summary>
    /// Clips the ray o + t d (t in units of |d|, within [near, far] and the grid's box) to its occupied stretch.
    /// Returns false when no marching step of the ray lies in an occupied cell.
    /// </summary>
    public static bool Find(OccupancyGrid grid, ReadOnlySpan<float> origin, ReadOnlySpan<float> direction, float near, float far, out float first, out float last)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var view = new RayMarcher.GridView(grid);
        return Find(in view, grid.StepSize, origin, direction, near, far, out first, out last);
    }

    /// <summary>As <see cref="Find(OccupancyGrid, ReadOnlySpan{float}, ReadOnlySpan{float}, float, float, out float, out float)"/> with the grid's view made once by the caller.</summary>
    internal static bool Find(in RayMarcher.GridView view, float stepSize, ReadOnlySpan<float> origin, ReadOnlySpan<float> direction, float near, float far, out float first, out float last)
    {
        first = last = 0f;
        var ray = new RayMarcher.RayLattice(view.Box, origin, direction, near, far, 0f, stepSize);
        if (!ray.Valid)
        {
            return false;
        }

        bool any = false;
        int k = 0;
        while (true)
        {
            float s = ray.T0 + (k * ray.Dt);
            if (!(s + ray.Dt <= ray.TMax))
            {
                return any;
            }

            int cell = view.CellAt(in ray, s + (0.5f * ray.Dt), out int i, out int j, out int kz);
            bool occupied = view.Occupied(cell);
            int next = view.NextStep(in ray, k, i, j, kz, occupied);
            if (occupied)
            {
                if (!any)
                {
                    first = s;
                    any = true;
                }

                // Steps k .. next - 1 lie in this cell; the last one that fits the lattice ends the stretch so far.
                int end = next;
                while (end > k + 1 && !(ray.T0 + (end * ray.Dt) <= ray.TMax))
                {
                    end--;
                }

                last = ray.T0 + (end * ray.Dt);
            }

            k = next;
        }
    }
}
