using System.Reflection;
using System.Security.Cryptography;
using NerfSharp.Imaging;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Imaging;

/// <summary>
/// Every lego_400 image (train and val) decodes bit-exactly as an independent decoder (Pillow) decoded it:
/// the SHA-256 digests of its raw samples are in Resources/lego_400_samples.sha256.
/// </summary>
public sealed class LegoDecodeTests
{
    [Fact]
    public void AllLego400ImagesMatchTheReferenceDigests()
    {
        var references = ReadReferences();
        Assert.Equal(200, references.Count);
        string root = SharedData.Data("nerf_synthetic", "lego_400");
        var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(references, new ParallelOptions { MaxDegreeOfParallelism = 2 }, reference =>
        {
            DecodedPng png = PngDecoder.Read(Path.Combine(root, reference.Image));
            var bytes = new byte[png.Samples.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = checked((byte)png.Samples[i]);
            }

            string shape = $"{png.Width}x{png.Height}x{png.Channels}";
            string digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (png.BitDepth != 8 || shape != reference.Shape || digest != reference.Digest)
            {
                mismatches.Add($"{reference.Image}: {shape} {digest}");
            }
        });
        Assert.Empty(mismatches);
    }

    private static List<(string Digest, string Image, string Shape)> ReadReferences()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("NerfSharp.Tests.Imaging.lego_400_samples.sha256")
            ?? throw new InvalidOperationException("embedded resource lego_400_samples.sha256 is missing");
        using var reader = new StreamReader(stream);
        var list = new List<(string, string, string)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] parts = line.Split(' ');
            list.Add((parts[0], parts[1], parts[2]));
        }

        return list;
    }
}
