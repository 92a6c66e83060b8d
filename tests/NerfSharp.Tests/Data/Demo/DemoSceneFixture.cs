using System.Diagnostics;
using NerfSharp.Data.Demo;

namespace NerfSharp.Tests.Data.Demo;

/// <summary>One demo scene at the default size, generated once for the tests that read it.</summary>
public sealed class DemoSceneFixture : IDisposable
{
    public DemoSceneFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("nerfsharp-demo-").FullName;
        var sw = Stopwatch.StartNew();
        DemoSceneGenerator.Generate(Directory, Options);
        GenerationTime = sw.Elapsed;
    }

    public DemoSceneOptions Options { get; } = new();

    public string Directory { get; }

    public TimeSpan GenerationTime { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
