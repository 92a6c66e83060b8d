namespace NerfSharp.Reports;

/// <summary>
/// What a run report holds: how many validation views it renders (evenly spread over the split) and the largest side
/// its inlined images may have (larger views are shrunk by an integer factor for the page; scores use full size).
/// </summary>
public sealed record ReportOptions(int Views = 4, int MaxImageSide = 512)
{
    public const string FileName = "report.html";
}
