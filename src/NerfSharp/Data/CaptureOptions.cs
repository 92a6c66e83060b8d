namespace NerfSharp.Data;

/// <summary>
/// How a real-capture parser (transforms.json, LLFF, COLMAP) loads a split. <paramref name="Split"/>: "train", "test"
/// ("val" is the test set), or "all". <paramref name="Downscale"/>: images are area-downsampled by this integer factor
/// and intrinsics scaled to match (LLFF instead picks its images_N folder). <paramref name="HoldEvery"/>: when the
/// format gives no split, every N-th view (0, N, 2N, ...) is held out for test (0 = no test views).
/// <paramref name="LoadImages"/> false reads cameras only (Images is empty). <paramref name="Background"/>: the colour
/// an alpha channel is composited over. <paramref name="Cache"/>: where decoded images are kept between loads (null: none).
/// </summary>
public sealed record CaptureOptions(
    string Split = "train",
    int Downscale = 1,
    int HoldEvery = 8,
    bool LoadImages = true,
    BackgroundColor Background = BackgroundColor.Black,
    Imaging.DecodedImageCache? Cache = null);
