using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using NerfSharp.Configuration;
using NerfSharp.Data;
using NerfSharp.Models;
using NerfSharp.Runs;
using NerfSharp.Training;
using NerfSharp.Viewer;

namespace NerfSharp.Bench;

/// <summary>
/// <c>viewer RUN [seconds] [WxH]</c>: frames per second of the web viewer (one WebSocket client asking for the next
/// camera as soon as a frame arrives, the camera orbiting, full resolution) on the trained run while idle; then
/// training steps per second on the run's data from scratch without a viewer, and with the viewer and that client
/// attached (and the viewer's frame rate meanwhile).
/// </summary>
public static class ViewerBenchmark
{
    public static void Run(string[] args)
    {
        string runDir = args.Length > 0 ? args[0] : throw new ArgumentException("usage: viewer RUN [seconds] [WxH]");
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        string[] size = (args.Length > 2 ? args[2] : "400x300").Split('x');
        int width = int.Parse(size[0], CultureInfo.InvariantCulture), height = int.Parse(size[1], CultureInfo.InvariantCulture);

        TrainedRun run = TrainedRun.Open(runDir);
        DataParserOutput train = DatasetLoader.Load(run.Config.Data, "train");
        var idle = ViewerScene.FromData("bench", run.Model, train, run.Config.Trainer.Chunk);
        double idleFps = MeasureFps(idle, width, height, seconds, CancellationToken.None);
        Console.WriteLine($"viewer idle (trained run, step {run.Step}): {idleFps:F2} frames/s at {width}x{height}");

        string scratch = Path.Combine(Path.GetTempPath(), $"nerf-viewer-bench-{Guid.NewGuid():N}");
        try
        {
            RunConfig config = run.Config with { OutputDir = scratch, Trainer = run.Config.Trainer with { Steps = int.MaxValue, CheckpointEvery = 0, TestsetEvery = 0, VideoEvery = 0, TimeBudgetSeconds = 0 } };
            // Alternated (alone, with, alone, with) so that a change in the machine's load hits both alike.
            const int rounds = 2;
            double alone = 0, shared = 0, fps = 0;
            for (int round = 0; round < rounds; round++)
            {
                var (a, _) = TrainFor(config, train, seconds, withViewer: false, width, height);
                Directory.Delete(scratch, recursive: true);
                var (b, f) = TrainFor(config, train, seconds, withViewer: true, width, height);
                Directory.Delete(scratch, recursive: true);
                Console.WriteLine($"round {round + 1}: training {a:F2} steps/s alone, {b:F2} with the viewer ({f:F2} frames/s)");
                alone += a / rounds;
                shared += b / rounds;
                fps += f / rounds;
            }

            Console.WriteLine($"training without viewer: {alone:F2} steps/s");
            Console.WriteLine($"training with viewer + 1 client: {shared:F2} steps/s ({(1 - (shared / alone)) * 100:F0}% slower), viewer {fps:F2} frames/s at {width}x{height}");
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static (double StepsPerSecond, double Fps) TrainFor(RunConfig config, DataParserOutput train, double seconds, bool withViewer, int width, int height)
    {
        IRadianceModel model = ModelFactory.Create(config, train.Background);
        var trainer = new Trainer(config, model, train);
        trainer.Initialize();
        var status = new TrainingStatus();
        long steps = 0;
        trainer.OnProgress = p =>
        {
            Interlocked.Exchange(ref steps, p.Step);
            status.Report(p.Step, p.TotalSteps, p.Loss.Loss, p.Loss.Psnr);
        };
        using var stop = new CancellationTokenSource();
        var training = Task.Factory.StartNew(() => trainer.Run(stop.Token), TaskCreationOptions.LongRunning);
        Thread.Sleep(TimeSpan.FromSeconds(Math.Min(3, seconds / 3))); // warm-up
        long start = 0;
        Stopwatch watch = Stopwatch.StartNew();
        void Begin()
        {
            start = Interlocked.Read(ref steps);
            watch.Restart();
        }

        double fps = 0;
        if (withViewer)
        {
            // Steps are counted from the first frame on (server start and the render context's allocation excluded).
            var scene = ViewerScene.FromData("bench", model, train, config.Trainer.Chunk) with { Training = status };
            fps = MeasureFps(scene, width, height, seconds, stop.Token, Begin);
        }
        else
        {
            Begin();
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
        }

        double rate = (Interlocked.Read(ref steps) - start) / watch.Elapsed.TotalSeconds;
        stop.Cancel();
        training.Wait();
        return (rate, fps);
    }

    /// <summary>One client orbiting the scene's centre as fast as frames come back (closed loop, full resolution); frames per second.</summary>
    private static double MeasureFps(ViewerScene scene, int width, int height, double seconds, CancellationToken cancel, Action? afterFirstFrame = null) =>
        MeasureFpsAsync(scene, width, height, seconds, cancel, afterFirstFrame).GetAwaiter().GetResult();

    /// <summary>Frames per second after the first frame (which pays for the render context); <paramref name="afterFirstFrame"/> runs when it arrives.</summary>
    private static async Task<double> MeasureFpsAsync(ViewerScene scene, int width, int height, double seconds, CancellationToken cancel, Action? afterFirstFrame)
    {
        await using ViewerServer server = await ViewerServer.StartAsync(scene, new ViewerOptions { Port = 0 }, cancel);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{server.Address.Authority}/ws"), cancel);
        var (ox, oy, oz) = scene.TrainingCameras[0].CameraToWorld.Origin;
        double radius = Math.Sqrt((ox * ox) + (oy * oy) + (oz * oz));
        double fov = SceneDescription.VerticalFovDegrees(scene.TrainingCameras[0]);
        var buffer = new byte[1 << 22];
        int frames = -1;
        var watch = Stopwatch.StartNew();
        for (int seq = 0; watch.Elapsed.TotalSeconds < seconds || frames < 1; seq++)
        {
            // Orbit about the z axis (the demo scene's up), looking at the origin.
            double a = seq * 0.05, px = radius * Math.Cos(a), py = radius * Math.Sin(a), pz = oz;
            double[] z = Normalize(px, py, pz);
            double[] x = Normalize(-z[1], z[0], 0);
            double[] y = [(z[1] * x[2]) - (z[2] * x[1]), (z[2] * x[0]) - (z[0] * x[2]), (z[0] * x[1]) - (z[1] * x[0])];
            string pose = string.Join(",", new[] { x[0], y[0], z[0], px, x[1], y[1], z[1], py, x[2], y[2], z[2], pz }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            string message = string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"camera\",\"seq\":{seq},\"pose\":[{pose}],\"fov\":{fov},\"width\":{width},\"height\":{height}}}");
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, cancel);
            bool binary = false;
            while (!binary)
            {
                ValueWebSocketReceiveResult r;
                int n = 0;
                do
                {
                    r = await socket.ReceiveAsync(buffer.AsMemory(n), cancel);
                    n += r.Count;
                }
                while (!r.EndOfMessage);
                binary = r.MessageType == WebSocketMessageType.Binary;
            }

            if (++frames == 0)
            {
                afterFirstFrame?.Invoke();
                watch.Restart();
            }
        }

        return frames / watch.Elapsed.TotalSeconds;
    }

    private static double[] Normalize(double x, double y, double z)
    {
        double n = Math.Sqrt((x * x) + (y * y) + (z * z));
        return [x / n, y / n, z / n];
    }
}
