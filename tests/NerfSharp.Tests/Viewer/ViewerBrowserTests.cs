using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using NerfSharp.Cli;
using NerfSharp.Data;
using NerfSharp.Evaluation;
using NerfSharp.Runs;
using NerfSharp.Tests.Testing;
using NerfSharp.Viewer;

namespace NerfSharp.Tests.Viewer;

/// <summary>
/// The viewer in a real browser (Debian's chromium through Playwright): orbiting changes the frame and the frame is
/// the server's render of the browser's camera; a reload during training leaves training running; the camera path
/// downloads as nerfstudio camera_path.json.
/// </summary>
public sealed class ViewerBrowserTests : IClassFixture<TrainedDemoRunFixture>
{
    private const int Width = 64, Height = 48;
    private readonly TrainedDemoRunFixture fixture;

    public ViewerBrowserTests(TrainedDemoRunFixture fixture) => this.fixture = fixture;

    [Fact(Timeout = 300_000)]
    public async Task DragOrbitsAndTheFrameIsTheServerRenderOfTheBrowsersCamera()
    {
        TrainedRun run = TrainedRun.Open(fixture.RunDir);
        DataParserOutput train = DatasetLoader.Load(run.Config.Data, "train");
        ViewerScene scene = ViewerScene.FromData("test", run.Model, train, run.Config.Trainer.Chunk);
        await using ViewerServer server = await ViewerServer.StartAsync(scene, new ViewerOptions { Port = 0 });
        var (playwright, browser) = await SystemChromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 560 } });
            await page.GotoAsync($"{server.Address}?w={Width}&h={Height}");
            await WaitSettled(page);
            int[] before = await CanvasPixels(page);
            string cameraBefore = await page.EvaluateAsync<string>("() => JSON.stringify(window.nerfViewer.lastSent.pose)");

            // Drag across the stage: orbit.
            var box = (await page.Locator("#stage").BoundingBoxAsync())!;
            float x = box.X + (box.Width / 2), y = box.Y + (box.Height / 2);
            await page.Mouse.MoveAsync(x, y);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(x + 80, y + 15, new MouseMoveOptions { Steps = 8 });
            await page.Mouse.UpAsync();
            await WaitSettled(page);
            int[] after = await CanvasPixels(page);
            string sent = await page.EvaluateAsync<string>("() => JSON.stringify(window.nerfViewer.lastSent)");
            Assert.NotEqual(cameraBefore, await page.EvaluateAsync<string>("() => JSON.stringify(window.nerfViewer.lastSent.pose)"));
            double change = MeanAbsoluteDifference(before, after);
            Assert.True(change > 1.0, $"the frame barely changed after orbiting (mean |diff| {change:F2} of 255)");

            // The frame in the browser is the server-side render of the camera the browser sent (JPEG error only).
            CameraRequest request = CameraRequest.Parse(Encoding.UTF8.GetBytes(sent), 4096);
            Assert.False(request.Moving);
            var renderer = new ImageRenderer(run.Model, run.Config.Trainer.Chunk, scene.Background);
            RenderedImage expected = renderer.Render(request.ToCamera(), scene.Near, scene.Far, scene.ToModelSpace);
            byte[] rgb = FrameEncoder.ToRgb24(expected, RenderMode.Rgb, scene.Near, scene.Far);
            double error = 0;
            for (int i = 0; i < Width * Height; i++)
            {
                for (int c = 0; c < 3; c++)
                {
                    error += Math.Abs(after[(4 * i) + c] - rgb[(3 * i) + c]);
                }
            }

            error /= Width * Height * 3;
            Assert.True(error < 3.0, $"the browser's frame differs from the server render by {error:F2} of 255 on average");
            Assert.True(change > 4 * error, $"orbiting changed the frame by {change:F2}, not clearly more than the JPEG error {error:F2}");

            // Render modes: depth and accumulation frames differ from rgb.
            await page.SelectOptionAsync("#mode", "accumulation");
            await page.WaitForFunctionAsync("() => window.nerfViewer.settled() && window.nerfViewer.lastFrame.mode === 'accumulation'");
            Assert.True(MeanAbsoluteDifference(after, await CanvasPixels(page)) > 1.0, "the accumulation frame looks like the rgb frame");
            await page.SelectOptionAsync("#mode", "rgb");
            await WaitSettled(page);

            // The page as a person sees it: the frame scaled to fill the stage (160 px on the long side), frustums on top.
            await page.GotoAsync($"{server.Address}?max=160");
            await WaitSettled(page);
            string shot = Path.Combine(SystemChromium.ScreenshotDirectory(), "viewer.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot });
            Assert.True(new FileInfo(shot).Length > 1000);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task CameraPathDownloadsAsNerfstudioCameraPathJson()
    {
        TrainedRun run = TrainedRun.Open(fixture.RunDir);
        DataParserOutput train = DatasetLoader.Load(run.Config.Data, "train");
        await using ViewerServer server = await ViewerServer.StartAsync(ViewerScene.FromData("test", run.Model, train, run.Config.Trainer.Chunk), new ViewerOptions { Port = 0 });
        var (playwright, browser) = await SystemChromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 900, Height = 560 } });
            await page.GotoAsync($"{server.Address}?w={Width}&h={Height}");
            await WaitSettled(page);
            string first = await page.EvaluateAsync<string>("() => JSON.stringify(window.nerfViewer.lastSent.pose)");
            await page.ClickAsync("#addKeyframe");
            await page.ClickAsync("#cameras button:nth-child(5)");
            await WaitSettled(page);
            string second = await page.EvaluateAsync<string>("() => JSON.stringify(window.nerfViewer.lastSent.pose)");
            await page.ClickAsync("#addKeyframe");
            await page.FillAsync("#pathFps", "10");
            await page.FillAsync("#pathSeconds", "2");
            IDownload download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#downloadPath"));
            Assert.Equal("camera_path.json", download.SuggestedFilename);
            using var dir = new TempDirectory();
            string file = dir.Combine("camera_path.json");
            await download.SaveAsAsync(file);

            JsonElement json = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            Assert.Equal(Width, json.GetProperty("render_width").GetInt32());
            Assert.Equal(Height, json.GetProperty("render_height").GetInt32());
            Assert.Equal(10, json.GetProperty("fps").GetDouble());
            Assert.Equal(2, json.GetProperty("seconds").GetDouble());
            Assert.Equal(2, json.GetProperty("keyframes").GetArrayLength());
            JsonElement path = json.GetProperty("camera_path");
            Assert.Equal(20, path.GetArrayLength());
            foreach (JsonElement frame in path.EnumerateArray())
            {
                Assert.Equal(16, frame.GetProperty("camera_to_world").GetArrayLength());
                Assert.InRange(frame.GetProperty("fov").GetDouble(), 1, 179);
                Assert.Equal((double)Width / Height, frame.GetProperty("aspect").GetDouble(), 6);
            }

            // The rendered path starts at the first camera and ends at the second (row-major camera_to_world).
            AssertPose(first, path[0].GetProperty("camera_to_world"));
            AssertPose(second, path[path.GetArrayLength() - 1].GetProperty("camera_to_world"));
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task ReloadingThePageDuringTrainingLeavesTrainingRunning()
    {
        using var dir = new TempDirectory();
        var output = new StringWriter();
        TextWriter sync = TextWriter.Synchronized(output);
        using var cancel = new CancellationTokenSource();
        var ctx = new CliContext(sync, TextWriter.Synchronized(new StringWriter()), cancel.Token, Interactive: false, Started: DateTime.UtcNow);
        string runDir = dir.Combine("run");
        Task<int> training = Task.Run(() => NerfSharp.Cli.Program.Run(
            ["train", "--data", fixture.SceneDir, "--out", runDir, "--steps", "1000000", "--viewer", "--port", "0", .. Cli.CliRunner.TinyNgpFlags], ctx));
        try
        {
            string url = await WaitForViewerUrl(sync, output, training);
            var (playwright, browser) = await SystemChromium.LaunchAsync();
            using (playwright)
            await using (browser)
            {
                IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 560 } });
                await page.GotoAsync($"{url}?w={Width}&h={Height}");
                await WaitSettled(page);
                long stepBefore = await WaitForStepAbove(page, 0);
                await page.ReloadAsync();
                await WaitSettled(page);
                long stepAfter = await WaitForStepAbove(page, stepBefore + 5);
                Assert.False(training.IsCompleted, "training stopped when the page was reloaded");
                await page.CloseAsync();

                // The browser is gone: training goes on.
                await Task.Delay(500);
                Assert.False(training.IsCompleted, "training stopped when the browser disconnected");
                cancel.Cancel();
                int code = await training.WaitAsync(TimeSpan.FromSeconds(60));
                string text;
                lock (sync)
                {
                    text = output.ToString();
                }

                Assert.True(code == 130, text);
                long interrupted = long.Parse(System.Text.RegularExpressions.Regex.Match(text, @"interrupted at step (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
                Assert.True(interrupted > stepAfter, $"training ended at step {interrupted}, not after the step {stepAfter} seen after the reload");
            }
        }
        finally
        {
            cancel.Cancel();
            await training.WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    internal static Task WaitSettled(IPage page) =>
        page.WaitForFunctionAsync("() => window.nerfViewer && window.nerfViewer.settled()", null, new PageWaitForFunctionOptions { Timeout = 60_000 });

    private static async Task<int[]> CanvasPixels(IPage page) =>
        await page.EvaluateAsync<int[]>($"() => Array.from(document.getElementById('frame').getContext('2d').getImageData(0, 0, {Width}, {Height}).data)");

    private static double MeanAbsoluteDifference(int[] a, int[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (i % 4 != 3)
            {
                sum += Math.Abs(a[i] - b[i]);
            }
        }

        return sum / (a.Length * 3 / 4);
    }

    private static void AssertPose(string sentPose, JsonElement cameraToWorld)
    {
        double[] expected = JsonSerializer.Deserialize<double[]>(sentPose)!;
        double[] actual = cameraToWorld.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(expected[i], actual[i], 4);
        }
    }

    private static async Task<long> WaitForStepAbove(IPage page, long step)
    {
        await page.WaitForFunctionAsync(
            $"() => parseInt(document.getElementById('step').textContent, 10) > {step}", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        return long.Parse((await page.TextContentAsync("#step"))!.Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static async Task<string> WaitForViewerUrl(TextWriter sync, StringWriter output, Task<int> training)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            string text;
            lock (sync)
            {
                text = output.ToString();
            }

            var m = System.Text.RegularExpressions.Regex.Match(text, @"viewer: (http://\S+)");
            if (m.Success)
            {
                return m.Groups[1].Value;
            }

            if (training.IsCompleted)
            {
                throw new InvalidOperationException($"training ended before the viewer started: {text}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the viewer did not print its address within 60 s");
    }
}
