namespace NerfSharp.Data.Demo;

/// <summary>Size and camera counts of the generated demo scene (defaults: 100x100 pixels, 48/8/8 views).</summary>
public sealed record DemoSceneOptions(int Width = 100, int Height = 100, int TrainViews = 48, int ValViews = 8, int TestViews = 8, ulong Seed = 7);
