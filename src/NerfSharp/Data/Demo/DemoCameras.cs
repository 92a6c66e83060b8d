using NerfSharp.Numerics;

namespace NerfSharp.Data.Demo;

/// <summary>Camera placement for the demo scene: an OpenGL look-at and positions on the upper hemisphere.</summary>
public static class DemoCameras
{
    /// <summary>
    /// The camera-to-world pose of a camera at <paramref name="eye"/> looking at <paramref name="target"/> (OpenGL / Blender:
    /// x right, y up, the camera looks down its -z axis), with <paramref name="up"/> (not parallel to the view) as the up hint.
    /// </summary>
    public static Pose LookAt((double X, double Y, double Z) eye, (double X, double Y, double Z) target, (double X, double Y, double Z) up)
    {
        Vec3 e = eye;
        Vec3 back = (e - (Vec3)target).Normalized();
        Vec3 right = Vec3.Cross(up, back);
        if (right.Length < 1e-12)
        {
            throw new ArgumentException("the up hint is parallel to the viewing direction", nameof(up));
        }

        right = right.Normalized();
        Vec3 trueUp = Vec3.Cross(back, right);

        // Columns of the rotation are the camera's x (right), y (up) and z (back) axes in world coordinates.
        return new Pose([
            right.X, trueUp.X, back.X, e.X,
            right.Y, trueUp.Y, back.Y, e.Y,
            right.Z, trueUp.Z, back.Z, e.Z,
        ]);
    }

    /// <summary>A camera at <paramref name="radius"/> from the origin (azimuth from +x towards +y, elevation above the z = 0 plane), looking at the origin, z up.</summary>
    public static Pose OnSphere(double azimuth, double elevation, double radius)
    {
        double c = Math.Cos(elevation);
        var eye = (radius * c * Math.Cos(azimuth), radius * c * Math.Sin(azimuth), radius * Math.Sin(elevation));
        return LookAt(eye, (0, 0, 0), (0, 0, 1));
    }

    /// <summary><paramref name="count"/> random cameras on the band of the hemisphere between 8 and 80 degrees elevation (uniform by area).</summary>
    public static Pose[] RandomOnHemisphere(Rng rng, int count, double radius)
    {
        double zMin = Math.Sin(8 * Math.PI / 180), zMax = Math.Sin(80 * Math.PI / 180);
        var poses = new Pose[count];
        for (int i = 0; i < count; i++)
        {
            double azimuth = 2 * Math.PI * rng.NextDouble();
            double z = zMin + ((zMax - zMin) * rng.NextDouble());
            poses[i] = OnSphere(azimuth, Math.Asin(z), radius);
        }

        return poses;
    }

    /// <summary><paramref name="count"/> cameras evenly spaced on a circle at <paramref name="elevation"/> (like the Blender test orbits).</summary>
    public static Pose[] Orbit(int count, double elevation, double radius)
    {
        var poses = new Pose[count];
        for (int i = 0; i < count; i++)
        {
            poses[i] = OnSphere(2 * Math.PI * i / count, elevation, radius);
        }

        return poses;
    }
}
