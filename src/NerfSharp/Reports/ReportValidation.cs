namespace NerfSharp.Reports;

/// <summary>
/// The validation section of a report: the split scored, its views (with the mean of their PSNR and SSIM) and the
/// absolute-error value that maps to the top of the error colour scale; or, when the views could not be rendered
/// (no dataset, a load error), the reason.
/// </summary>
public sealed record ReportValidation(
    string Split,
    int SplitViews,
    IReadOnlyList<ReportView> Views,
    double MeanPsnr,
    double MeanSsim,
    double ErrorScale,
    string? Unavailable = null)
{
    public static ReportValidation Missing(string split, string reason) => new(split, 0, [], double.NaN, double.NaN, 0, reason);
}
