using NerfSharp.Data.Demo;

namespace NerfSharp.Tests.Testing;

/// <summary>A small generated demo scene shared by the tests of one class (32x32, 16 train views).</summary>
public sealed class DemoSceneFixture : IDisposable
{
    private readonly TempDirectory dir = new("nerf-scene");

    public DemoSceneFixture()
    {
        SceneDir = dir.Combine("scene");
        DemoSceneGenerator.Generate(SceneDir, new DemoSceneOptions(Width: 32, Height: 32, TrainViews: 16, ValViews: 2, TestViews: 2));
    }

    public string SceneDir { get; }

    public void Dispose() => dir.Dispose();
}
