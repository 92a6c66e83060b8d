using NerfSharp.Cameras;
using NerfSharp.Imaging;

namespace NerfSharp.Data;

/// <summary>
/// What every data parser returns: images with their cameras in the one internal convention
/// (OpenGL camera, c2w), plus the scene's depth bounds and background colour.
/// Images are RGB (alpha already composited over <see cref="Background"/>).
/// </summary>
public sealed record DataParserOutput(
    IReadOnlyList<Image> Images,
    IReadOnlyList<Camera> Cameras,
    IReadOnlyList<string> ImagePaths,
    float Near,
    float Far,
    BackgroundColor Background)
{
    public int Count => Images.Count;
}

/// <summary>The colour rays see where the scene is empty: black (the default) or white (white_bkgd).</summary>
public enum BackgroundColor
{
    Black,
    White,
}

/// <summary>Colour values of <see cref="BackgroundColor"/>.</summary>
public static class BackgroundColorExtensions
{
    public static (float R, float G, float B) ToRgb(this BackgroundColor background) =>
        background == BackgroundColor.White ? (1f, 1f, 1f) : (0f, 0f, 0f);
}
