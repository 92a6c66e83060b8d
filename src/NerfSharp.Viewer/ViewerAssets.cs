using System.Reflection;

namespace NerfSharp.Viewer;

/// <summary>
/// The page and script the viewer serves, embedded in this assembly (no files on disk are ever read, so no request
/// path can reach one). <see cref="Find"/> knows exactly these URL paths.
/// </summary>
public static class ViewerAssets
{
    private static readonly Dictionary<string, (string Resource, string ContentType)> Routes = new(StringComparer.Ordinal)
    {
        ["/"] = ("NerfSharp.Viewer.Assets.index.html", "text/html; charset=utf-8"),
        ["/index.html"] = ("NerfSharp.Viewer.Assets.index.html", "text/html; charset=utf-8"),
        ["/viewer.js"] = ("NerfSharp.Viewer.Assets.viewer.js", "text/javascript; charset=utf-8"),
    };

    private static readonly Lazy<Dictionary<string, byte[]>> Contents = new(Load);

    /// <summary>The asset served at <paramref name="path"/> (exact match), or null.</summary>
    public static (byte[] Content, string ContentType)? Find(string path) =>
        Routes.TryGetValue(path, out var route) ? (Contents.Value[route.Resource], route.ContentType) : null;

    private static Dictionary<string, byte[]> Load()
    {
        Assembly assembly = typeof(ViewerAssets).Assembly;
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (resource, _) in Routes.Values)
        {
            if (result.ContainsKey(resource))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"the viewer asset {resource} is missing from {assembly.GetName().Name}");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            result[resource] = copy.ToArray();
        }

        return result;
    }
}
