using Microsoft.Playwright;

namespace NerfSharp.Tests.Viewer;

/// <summary>
/// Debian's <c>chromium</c> driven by Playwright (the driver shipped in the NuGet package; no browser download). test.sh
/// installs the browser when it is missing; a machine without it fails these tests rather than skipping them.
/// </summary>
public static class SystemChromium
{
    /// <summary>The browser executable: $NERF_CHROMIUM, else the first of /usr/bin/chromium, /usr/bin/chromium-browser.</summary>
    public static string ExecutablePath()
    {
        string? configured = Environment.GetEnvironmentVariable("NERF_CHROMIUM");
        string[] candidates = configured != null ? [configured] : ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"no chromium at {string.Join(" or ", candidates)}: install Debian's chromium (test.sh does) or set NERF_CHROMIUM");
    }

    /// <summary>Starts Playwright and a headless system Chromium.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        return (playwright, browser);
    }

    /// <summary>Where tests keep screenshots: a folder under the test assembly's output folder.</summary>
    public static string ScreenshotDirectory()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "viewer-screenshots");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
