namespace NerfSharp.Data.Demo;

/// <summary>What a demo-scene ray hit.</summary>
public enum DemoSceneObject
{
    None,
    Sphere,
    Box,
    Ground,
}
