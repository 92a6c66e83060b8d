namespace NerfSharp.Tests.Imaging;

/// <summary>
/// How <see cref="TestPngWriter"/> writes a fixture. Filter -1 cycles through the five filters row by row;
/// Stored writes uncompressed deflate blocks; IdatChunkSize splits the zlib data over several IDAT chunks.
/// </summary>
internal sealed record PngFixtureFormat(
    int ColorType,
    int BitDepth,
    bool Interlaced = false,
    int Filter = -1,
    bool Stored = false,
    int IdatChunkSize = int.MaxValue,
    byte[]? Palette = null,
    byte[]? Transparency = null,
    bool ExtraChunks = false);
