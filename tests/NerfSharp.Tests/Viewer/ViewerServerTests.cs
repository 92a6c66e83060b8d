using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using NerfSharp.Cameras;
using NerfSharp.Cli;
using NerfSharp.Data;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Runs;
using NerfSharp.Tests.Cli;
using NerfSharp.Viewer;

namespace NerfSharp.Tests.Viewer;

/// <summary>
/// The viewer's server seen from a hostile or careless client: only its own assets are served (no path traversal, no
/// listing, no other methods), malformed and oversized WebSocket messages are refused, and it keeps serving frames
/// afterwards; a port in use is one clear error.
/// </summary>
public sealed class ViewerServerTests
{
    [Fact]
    public async Task ServesOnlyItsOwnAssets()
    {
        await using ViewerServer server = await ViewerServer.StartAsync(UntrainedScene(), new ViewerOptions { Port = 0 });
        using var client = new HttpClient { BaseAddress = server.Address };
        using (HttpResponseMessage page = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("viewer.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/viewer.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/scene")).StatusCode);
        string[] refused =
        [
            "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/..%5c..%5cetc%5cpasswd", "/....//....//etc/passwd", "/viewer.js/../../../../etc/passwd", "/%252e%252e/etc/passwd",
            "/Assets/", "/Assets/viewer.js", "/NerfSharp.Viewer.dll", "/etc/passwd", "/index.html/",
        ];
        foreach (string path in refused)
        {
            string response = await RawGet(server.Address, path);
            Assert.DoesNotContain("root:", response, StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 4", response, StringComparison.Ordinal);
        }

        using var post = await client.PostAsync("/", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task MalformedAndOversizedMessagesAreRefusedAndTheServerKeepsServing()
    {
        var options = new ViewerOptions { Port = 0 };
        await using ViewerServer server = await ViewerServer.StartAsync(UntrainedScene(), options);
        Uri ws = new($"ws://{server.Address.Authority}/ws");

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(ws, CancellationToken.None);
            foreach (string bad in new[]
            {
                "{not json", "[]", "{\"type\":\"camera\"}", "{\"type\":\"launch\"}",
                "{\"type\":\"camera\",\"pose\":[1,0,0,0,0,1,0,0,0,0,1,4],\"fov\":50,\"width\":100000,\"height\":30}",
                "{\"type\":\"camera\",\"pose\":[1,0,0,0,0,1,0,0,0,0,1,\"x\"],\"fov\":50,\"width\":40,\"height\":30}",
                "{\"type\":\"camera\",\"pose\":[1,0,0,0,0,1,0,0,0,0,1,4],\"fov\":500,\"width\":40,\"height\":30}",
                "{\"type\":\"camera\",\"pose\":[1,0,0,0,0,1,0,0,0,0,1,4],\"fov\":50,\"width\":40,\"height\":30,\"mode\":\"normals\"}",
                new string('[', 5000),
            })
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(bad), WebSocketMessageType.Text, true, CancellationToken.None);
                JsonElement reply = await ReceiveJson(socket);
                Assert.Equal("error", reply.GetProperty("type").GetString());
                Assert.False(string.IsNullOrWhiteSpace(reply.GetProperty("message").GetString()));
            }

            // Still usable after the errors: a valid camera gets a frame.
            await AssertFrame(socket);

            // Larger than the limit: the server closes this connection.
            var huge = Encoding.UTF8.GetBytes("{\"type\":\"camera\",\"pad\":\"" + new string('x', options.MaxMessageBytes * 4) + "\"}");
            await socket.SendAsync(huge, WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[1 << 16];
            WebSocketReceiveResult closing;
            do
            {
                closing = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            }
            while (closing.MessageType != WebSocketMessageType.Close);
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        }

        using (var binary = new ClientWebSocket())
        {
            await binary.ConnectAsync(ws, CancellationToken.None);
            await binary.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
            var buffer = new byte[1024];
            WebSocketReceiveResult r = await binary.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.Equal(WebSocketMessageType.Close, r.MessageType);
        }

        // A client that vanishes mid-message (socket dropped) does not hurt the server either.
        using (var rude = new ClientWebSocket())
        {
            await rude.ConnectAsync(ws, CancellationToken.None);
            await rude.SendAsync(Encoding.UTF8.GetBytes("{\"type\":"), WebSocketMessageType.Text, false, CancellationToken.None);
            rude.Abort();
        }

        // The server keeps serving: the page and a new connection's frames.
        using var client = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        using var again = new ClientWebSocket();
        await again.ConnectAsync(ws, CancellationToken.None);
        await AssertFrame(again);
    }

    [Fact]
    public async Task AWebSocketFromAnotherSiteIsRefused()
    {
        await using ViewerServer server = await ViewerServer.StartAsync(UntrainedScene(), new ViewerOptions { Port = 0 });
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://{server.Address.Authority}/ws"), CancellationToken.None));
    }

    [Fact]
    public async Task ConnectionsBeyondTheLimitAreRefused()
    {
        await using ViewerServer server = await ViewerServer.StartAsync(UntrainedScene(), new ViewerOptions { Port = 0, MaxConnections = 1 });
        var ws = new Uri($"ws://{server.Address.Authority}/ws");
        using var first = new ClientWebSocket();
        await first.ConnectAsync(ws, CancellationToken.None);
        using var second = new ClientWebSocket();
        await Assert.ThrowsAsync<WebSocketException>(() => second.ConnectAsync(ws, CancellationToken.None));
        await AssertFrame(first);
    }

    [Fact]
    public void APortInUseIsOneClearSentence()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var ex = Assert.Throws<ArgumentException>(() => ViewerServer.StartAsync(UntrainedScene(), new ViewerOptions { Port = port }).GetAwaiter().GetResult());
        Assert.Contains($"port {port}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("already in use", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ViewCommandReportsAMissingRunAndABadFlagWithExitCodeOne()
    {
        var missing = CliRunner.Run("view", "--run", Path.Combine(Path.GetTempPath(), $"no-such-run-{Guid.NewGuid():N}"), "--port", "0");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error:", missing.Error, StringComparison.Ordinal);
        var badFlag = CliRunner.Run("view", "--run", "x", "--colour", "red");
        Assert.Equal(1, badFlag.ExitCode);
        var help = CliRunner.Run("view", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--port", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void CameraMessagesBecomeThePinholeCameraTheyDescribe()
    {
        const string json = "{\"type\":\"camera\",\"seq\":3,\"pose\":[1,0,0,0.5,0,1,0,0,0,0,1,4,0,0,0,1],\"fov\":90,\"width\":40,\"height\":30,\"mode\":\"depth\",\"format\":\"png\",\"moving\":true}";
        CameraRequest r = CameraRequest.Parse(Encoding.UTF8.GetBytes(json), 2048);
        Assert.Equal(3, r.Sequence);
        Assert.Equal(RenderMode.Depth, r.Mode);
        Assert.Equal(FrameFormat.Png, r.Format);
        Assert.True(r.Moving);
        Camera c = r.ToCamera(10, 8);
        Assert.Equal(4.0, c.Intrinsics.Fy, 9); // tan(45 deg) = 1: focal = half the height
        Assert.Equal((0.5, 0.0, 4.0), c.CameraToWorld.Origin);
        Assert.Equal(PixelCenter.Center, c.PixelCenter);
    }

    /// <summary>An untrained tiny ngp model in front of four cameras on a circle (enough to render frames quickly).</summary>
    internal static ViewerScene UntrainedScene()
    {
        var config = RunConfigResolver.ApplyFlags(ModelPresets.Defaults("ngp"), ConfigKeyArguments.Read(CliRunner.TinyNgpFlags));
        config = config with { Ngp = config.Ngp with { SceneBoxHalfSize = 1.5 } };
        IRadianceModel model = ModelFactory.Create(config, BackgroundColor.White);
        model.Initialize(new Rng(1));
        var cameras = Enumerable.Range(0, 4).Select(i =>
        {
            double a = i * Math.PI / 2, s = Math.Sin(a), c = Math.Cos(a);
            return new Camera(PinholeIntrinsics.FromFocal(32, 32, 40), new Pose([c, 0, s, 4 * s, 0, 1, 0, 0, -s, 0, c, 4 * c]));
        }).ToList();
        return new ViewerScene("untrained", model, cameras, 2, 6, (1, 1, 1), null, 2048);
    }

    private static async Task AssertFrame(ClientWebSocket socket)
    {
        const string camera = "{\"type\":\"camera\",\"seq\":9,\"pose\":[1,0,0,0,0,1,0,0,0,0,1,4],\"fov\":50,\"width\":24,\"height\":16}";
        await socket.SendAsync(Encoding.UTF8.GetBytes(camera), WebSocketMessageType.Text, true, CancellationToken.None);
        JsonElement header = await ReceiveJson(socket);
        Assert.Equal("frame", header.GetProperty("type").GetString());
        Assert.Equal(9, header.GetProperty("seq").GetInt64());
        Assert.Equal(24, header.GetProperty("width").GetInt32());
        var buffer = new byte[1 << 16];
        WebSocketReceiveResult r = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.Equal(WebSocketMessageType.Binary, r.MessageType);
        Assert.True(r.EndOfMessage);
        Assert.Equal(0xFF, buffer[0]); // JPEG start-of-image marker
        Assert.Equal(0xD8, buffer[1]);
    }

    private static async Task<JsonElement> ReceiveJson(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 16];
        WebSocketReceiveResult r = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.Equal(WebSocketMessageType.Text, r.MessageType);
        return JsonDocument.Parse(buffer.AsMemory(0, r.Count)).RootElement.Clone();
    }

    /// <summary>A GET with the path sent exactly as given (HttpClient would normalise dot segments first).</summary>
    private static async Task<string> RawGet(Uri server, string path)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        using NetworkStream stream = tcp.GetStream();
        byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
