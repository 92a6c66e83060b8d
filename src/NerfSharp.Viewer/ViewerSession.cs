using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using NerfSharp.Evaluation;

namespace NerfSharp.Viewer;

/// <summary>
/// One browser connection. Its receive loop reads camera messages into a one-slot mailbox (the newest camera replaces
/// one not yet rendered, so frames never queue up behind a moving camera); its render thread, with its own render
/// context, renders the newest camera and sends a JSON header followed by the frame's bytes; a third loop sends the
/// training state twice a second. A malformed message gets an error message back; an oversized or binary one closes
/// the connection. Nothing a browser sends can stop the server or the training.
/// <para>While training runs, the render thread reads the parameters as the optimizer writes them (no lock): a frame
/// may mix two consecutive steps' weights, which only shows as a frame between two states of the model.</para>
/// </summary>
internal sealed class ViewerSession
{
    private readonly WebSocket socket;
    private readonly ViewerScene scene;
    private readonly ViewerOptions options;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly Channel<CameraRequest> mailbox = Channel.CreateBounded<CameraRequest>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });

    public ViewerSession(WebSocket socket, ViewerScene scene, ViewerOptions options)
    {
        this.socket = socket;
        this.scene = scene;
        this.options = options;
    }

    public async Task RunAsync(CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var renderThread = new Thread(() => RenderLoop(stop.Token)) { IsBackground = true, Name = "nerf viewer render" };
        renderThread.Start();
        Task status = StatusLoop(stop.Token);
        try
        {
            await ReceiveLoop(stop.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The browser went away (reload, closed tab) or the server is stopping.
        }
        finally
        {
            mailbox.Writer.TryComplete();
            await stop.CancelAsync();
            await Task.Run(renderThread.Join, CancellationToken.None);
            try
            {
                await status;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
    }

    private async Task ReceiveLoop(CancellationToken cancel)
    {
        var buffer = new byte[options.MaxMessageBytes];
        while (socket.State == WebSocketState.Open)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {options.MaxMessageBytes} bytes", cancel);
                    return;
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                await CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cancel);
                return;
            }

            if (result.MessageType != WebSocketMessageType.Text)
            {
                await CloseAsync(WebSocketCloseStatus.InvalidMessageType, "only JSON text messages are accepted", cancel);
                return;
            }

            try
            {
                CameraRequest request = CameraRequest.Parse(buffer.AsSpan(0, length), options.MaxFrameSide);
                mailbox.Writer.TryWrite(request);
            }
            catch (FormatException e)
            {
                await SendTextAsync(ErrorJson(e.Message), cancel);
            }
        }
    }

    private void RenderLoop(CancellationToken cancel)
    {
        try
        {
            ImageRenderer? renderer = null;
            while (mailbox.Reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult())
            {
                if (!mailbox.Reader.TryRead(out CameraRequest? request))
                {
                    continue;
                }

                renderer ??= new ImageRenderer(scene.Model, Math.Max(1, Math.Min(scene.Chunk, 1 << 14)), scene.Background);
                long start = Stopwatch.GetTimestamp();
                int scale = request.Moving ? Math.Max(1, options.MovingDownscale) : 1;
                int width = Math.Max(1, request.Width / scale), height = Math.Max(1, request.Height / scale);
                RenderedImage image = renderer.Render(request.ToCamera(width, height), scene.Near, scene.Far, scene.ToModelSpace);
                byte[] bytes = FrameEncoder.Encode(image, request.Mode, scene.Near, scene.Far, request.Format);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                SendFrameAsync(request, width, height, seconds, bytes, cancel).GetAwaiter().GetResult();
                if (scene.Training?.Read().Running == true && options.TrainingShare is > 0 and < 1)
                {
                    // Leave training its share: rest (1 - share) / share of the frame's time before the next frame.
                    cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds * (1 - options.TrainingShare) / options.TrainingShare));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ChannelClosedException or ObjectDisposedException)
        {
            // The connection ended.
        }
    }

    private async Task StatusLoop(CancellationToken cancel)
    {
        if (scene.Training is not { } training)
        {
            return;
        }

        long lastStep = -1;
        bool lastRunning = true;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        do
        {
            TrainingSnapshot s = training.Read();
            if (s.Step != lastStep || s.Running != lastRunning)
            {
                lastStep = s.Step;
                lastRunning = s.Running;
                await SendTextAsync(TrainingJson(s), cancel);
            }
        }
        while (await timer.WaitForNextTickAsync(cancel));
    }

    private async Task SendFrameAsync(CameraRequest request, int width, int height, double seconds, byte[] bytes, CancellationToken cancel)
    {
        string header = string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"type\":\"frame\",\"seq\":{request.Sequence},\"width\":{width},\"height\":{height},\"mode\":\"{request.Mode.ToString().ToLowerInvariant()}\",\"format\":\"{request.Format.ToString().ToLowerInvariant()}\",\"moving\":{(request.Moving ? "true" : "false")},\"ms\":{seconds * 1000:F1}}}");
        await sendLock.WaitAsync(cancel);
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(header), WebSocketMessageType.Text, true, cancel);
            await socket.SendAsync(bytes, WebSocketMessageType.Binary, true, cancel);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task SendTextAsync(string json, CancellationToken cancel)
    {
        await sendLock.WaitAsync(cancel);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancel);
            }
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason, CancellationToken cancel)
    {
        await sendLock.WaitAsync(cancel);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseAsync(status, reason, cancel);
            }
        }
        finally
        {
            sendLock.Release();
        }
    }

    private static string ErrorJson(string message) => JsonSerializer.Serialize(new { type = "error", message });

    private static string TrainingJson(TrainingSnapshot s) => string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"type\":\"training\",\"step\":{s.Step},\"total\":{s.TotalSteps},\"loss\":{Finite(s.Loss)},\"psnr\":{Finite(s.Psnr)},\"running\":{(s.Running ? "true" : "false")}}}");

    private static string Finite(double v) => double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : "null";
}
