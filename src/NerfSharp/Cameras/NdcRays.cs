namespace NerfSharp.Cameras;

/// <summary>
/// nerf-pytorch's <c>ndc_rays</c> for forward-facing scenes: shifts the origin to the plane
/// z = -near, then maps origin and direction into normalised device coordinates, where the
/// frustum from z = -near to z = -infinity becomes z in [-1, 1] and t in [0, 1] spans it.
/// </summary>
public static class NdcRays
{
    public static Ray ToNdc(int height, int width, double focal, double near, Ray ray)
    {
        double t = -(near + ray.OriginZ) / ray.DirZ;
        double ox = ray.OriginX + (t * ray.DirX);
        double oy = ray.OriginY + (t * ray.DirY);
        double oz = ray.OriginZ + (t * ray.DirZ);

        double sx = -1.0 / (width / (2.0 * focal));
        double sy = -1.0 / (height / (2.0 * focal));
        double o0 = sx * ox / oz;
        double o1 = sy * oy / oz;
        double o2 = 1.0 + (2.0 * near / oz);
        double d0 = sx * ((ray.DirX / ray.DirZ) - (ox / oz));
        double d1 = sy * ((ray.DirY / ray.DirZ) - (oy / oz));
        double d2 = -2.0 * near / oz;
        return new Ray(o0, o1, o2, d0, d1, d2);
    }
}
