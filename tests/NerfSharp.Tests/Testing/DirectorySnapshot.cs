using System.Security.Cryptography;

namespace NerfSharp.Tests.Testing;

/// <summary>
/// Every file under a folder with its SHA-256 and modification time, to prove that a failed command wrote nothing:
/// take one before, one after, and compare (a folder that does not exist has an empty snapshot).
/// </summary>
public sealed class DirectorySnapshot
{
    private readonly SortedDictionary<string, string> files = new(StringComparer.Ordinal);

    private DirectorySnapshot(string root)
    {
        Root = root;
        Exists = Directory.Exists(root);
        if (!Exists)
        {
            return;
        }

        foreach (string dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
        {
            files[Path.GetRelativePath(root, dir) + "/"] = "dir";
        }

        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
            files[Path.GetRelativePath(root, file)] = $"{hash} {File.GetLastWriteTimeUtc(file).Ticks}";
        }
    }

    public string Root { get; }

    public bool Exists { get; }

    public static DirectorySnapshot Take(string root) => new(root);

    /// <summary>Fails naming every file that appeared, vanished or changed since <paramref name="before"/>.</summary>
    public static void AssertUnchanged(DirectorySnapshot before, string because)
    {
        var after = Take(before.Root);
        var diffs = new List<string>();
        if (before.Exists != after.Exists)
        {
            diffs.Add(after.Exists ? $"{before.Root} was created" : $"{before.Root} was deleted");
        }

        foreach (var (name, value) in after.files)
        {
            if (!before.files.TryGetValue(name, out string? old))
            {
                diffs.Add($"{name} appeared");
            }
            else if (old != value)
            {
                diffs.Add($"{name} changed");
            }
        }

        foreach (string name in before.files.Keys)
        {
            if (!after.files.ContainsKey(name))
            {
                diffs.Add($"{name} vanished");
            }
        }

        Assert.True(diffs.Count == 0, $"{because}: {string.Join(", ", diffs)}");
    }
}
