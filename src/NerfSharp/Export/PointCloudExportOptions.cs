namespace NerfSharp.Export;

/// <summary>
/// Settings of a point-cloud export: how many points to keep, the opacity a pixel's ray needs to give a point, the
/// factor the views are rendered smaller by (null: chosen so the views give about four candidates per point), and the
/// seed of the random choice among the candidates.
/// </summary>
public sealed record PointCloudExportOptions(int Points = 1_000_000, float MinAccumulation = 0.9f, int? Downscale = null, ulong Seed = 0);
