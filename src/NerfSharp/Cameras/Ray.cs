namespace NerfSharp.Cameras;

/// <summary>
/// A world-space ray: origin and direction in double precision. The direction is NOT normalised
/// (nerf-pytorch's convention: its length scales the sample intervals in volume rendering).
/// </summary>
public readonly record struct Ray(double OriginX, double OriginY, double OriginZ, double DirX, double DirY, double DirZ)
{
    /// <summary>Euclidean length of the direction, |d| (nerf-pytorch's torch.norm(rays_d)).</summary>
    public double DirectionNorm => Math.Sqrt((DirX * DirX) + (DirY * DirY) + (DirZ * DirZ));

    /// <summary>The point o + t d.</summary>
    public (double X, double Y, double Z) PointAt(double t) => (OriginX + (t * DirX), OriginY + (t * DirY), OriginZ + (t * DirZ));
}
