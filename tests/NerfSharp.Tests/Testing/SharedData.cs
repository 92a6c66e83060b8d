namespace NerfSharp.Tests.Testing;

/// <summary>
/// Finds the shared folder (datasets and golden vectors) that sits beside the repository:
/// NERFSHARP_SHARED if set, else the first ancestor of the test binary holding shared/ or ../shared.
/// Tests that need it fail (never skip) when it is absent, so CI cannot pass silently without data.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string Path => Root.Value;

    public static string Data(params string[] parts) => System.IO.Path.Combine([Path, "data", .. parts]);

    public static string Golden(string name) => System.IO.Path.Combine(Path, "golden", "nerf-pytorch", name + ".safetensors");

    private static string Locate()
    {
        string? env = Environment.GetEnvironmentVariable("NERFSHARP_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env) ? env : throw new DirectoryNotFoundException($"NERFSHARP_SHARED={env} does not exist");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            foreach (string candidate in new[] { System.IO.Path.Combine(dir.FullName, "shared"), System.IO.Path.Combine(dir.FullName, "..", "shared") })
            {
                if (Directory.Exists(System.IO.Path.Combine(candidate, "golden")) && Directory.Exists(System.IO.Path.Combine(candidate, "data")))
                {
                    return System.IO.Path.GetFullPath(candidate);
                }
            }
        }

        throw new DirectoryNotFoundException("cannot find the shared folder (../shared with data/ and golden/); set NERFSHARP_SHARED");
    }
}
