using NerfSharp.Sampling;

namespace NerfSharp.Models;

/// <summary>
/// The ngp model's ray gradients for pose refinement: the field's dL/d(box-normalised position) and dL/d(unit direction) per
/// sample, reduced to dL/dorigin and dL/ddirection per ray of a <see cref="RayBatch"/>. A sample at distance t along the unit
/// direction u = d/|d| sits at box.ToUnit(o + t u), so dL/do = sum_s dL/dx_s and dL/du = sum_s (t_s dL/dx_s + dL/du_s) with
/// dL/dx = dL/dposition / box size; then dL/dd = (I - u u^T) dL/du / |d|. The sample distances t are taken as constants
/// (the march lattice and the occupancy grid depend on the ray only through which samples exist).
/// </summary>
internal sealed class NgpRayGradients
{
    public NgpRayGradients(int maxSamples)
    {
        Positions = new float[3 * maxSamples];
        Directions = new float[3 * maxSamples];
    }

    /// <summary>dL/d(box-normalised position) per sample, feature-major [3][samples] (the field's Backward writes it).</summary>
    public float[] Positions { get; }

    /// <summary>dL/d(unit direction) per sample, feature-major [3][samples].</summary>
    public float[] Directions { get; }

    /// <summary>
    /// Writes dL/dorigin and dL/ddirection of rays [start, start + n) of <paramref name="rays"/> (pass rays 0..n-1 of
    /// <paramref name="samples"/>) and zeros those of the batch's later rays, which this step left out.
    /// </summary>
    public void Reduce(RaySamples samples, int n, RayBatch rays, int start, SceneBox box, ReadOnlySpan<float> unitDirections)
    {
        float[] gOrigin = rays.OriginGradients!, gDirection = rays.DirectionGradients!;
        int count = samples.Samples;
        ReadOnlySpan<float> px = Positions.AsSpan(0, count), py = Positions.AsSpan(count, count), pz = Positions.AsSpan(2 * count, count);
        ReadOnlySpan<float> ux = Directions.AsSpan(0, count), uy = Directions.AsSpan(count, count), uz = Directions.AsSpan(2 * count, count);
        double sx = 1.0 / box.SizeX, sy = 1.0 / box.SizeY, sz = 1.0 / box.SizeZ;
        for (int r = 0; r < n; r++)
        {
            double ox = 0, oy = 0, oz = 0, dx = 0, dy = 0, dz = 0;
            int end = samples.RayStart[r] + samples.RayCount[r];
            for (int s = samples.RayStart[r]; s < end; s++)
            {
                double t = 0.5 * (samples.TStart[s] + samples.TEnd[s]);
                double gx = px[s] * sx, gy = py[s] * sy, gz = pz[s] * sz;
                ox += gx;
                oy += gy;
                oz += gz;
                dx += (t * gx) + ux[s];
                dy += (t * gy) + uy[s];
                dz += (t * gz) + uz[s];
            }

            int o = 3 * (start + r);
            gOrigin[o] = (float)ox;
            gOrigin[o + 1] = (float)oy;
            gOrigin[o + 2] = (float)oz;
            double rx = rays.Directions[o], ry = rays.Directions[o + 1], rz = rays.Directions[o + 2];
            double norm = Math.Sqrt((rx * rx) + (ry * ry) + (rz * rz));
            if (!(norm > 0))
            {
                gDirection.AsSpan(o, 3).Clear();
                continue;
            }

            double vx = unitDirections[3 * r], vy = unitDirections[(3 * r) + 1], vz = unitDirections[(3 * r) + 2];
            double along = (vx * dx) + (vy * dy) + (vz * dz);
            gDirection[o] = (float)((dx - (vx * along)) / norm);
            gDirection[o + 1] = (float)((dy - (vy * along)) / norm);
            gDirection[o + 2] = (float)((dz - (vz * along)) / norm);
        }

        gOrigin.AsSpan(3 * (start + n), 3 * (rays.Count - start - n)).Clear();
        gDirection.AsSpan(3 * (start + n), 3 * (rays.Count - start - n)).Clear();
    }
}
