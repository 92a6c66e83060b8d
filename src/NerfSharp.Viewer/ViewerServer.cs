using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NerfSharp.Viewer;

/// <summary>
/// The web viewer's HTTP server (Kestrel): serves its embedded page and script, the scene description, and one
/// WebSocket per browser (<see cref="ViewerSession"/>). Every other path is 404 and only GET is served, so no request
/// reaches the file system (there is none to reach: nothing is read from disk) and nothing is listed.
/// </summary>
public sealed class ViewerServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> sessions = [];
    private readonly Lock sessionsGate = new();

    private ViewerServer(WebApplication app)
    {
        this.app = app;
    }

    /// <summary>The URL to open in a browser (with the bound port).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts serving <paramref name="scene"/>; throws <see cref="ArgumentException"/> when the host is not an address of this machine or the port is taken.</summary>
    public static async Task<ViewerServer> StartAsync(ViewerScene scene, ViewerOptions options, CancellationToken cancel = default)
    {
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"--port must lie between 0 and 65535, got {options.Port}");
        }

        IPAddress ip = options.Host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(options.Host, out var parsed) ? parsed
            : throw new ArgumentException($"--host must be an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost, got '{options.Host}'");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1024;
            k.Listen(ip, options.Port);
        });
        WebApplication app = builder.Build();
        var server = new ViewerServer(app);
        byte[] sceneJson = SceneDescription.ToJson(scene);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.Run(context => server.HandleAsync(context, scene, options, sceneJson));
        try
        {
            await app.StartAsync(cancel);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException || e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
        {
            await app.DisposeAsync();
            throw new ArgumentException($"port {options.Port} on {options.Host} is already in use (another viewer running?); choose another with --port", e);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new ArgumentException($"cannot listen on {options.Host}:{options.Port}: {e.Message}", e);
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var address = new UriBuilder(bound);
        if (address.Host is "0.0.0.0" or "[::]")
        {
            address.Host = "127.0.0.1";
        }

        server.Address = address.Uri;
        return server;
    }

    /// <summary>Closes every connection and stops listening.</summary>
    public async Task StopAsync()
    {
        await stopping.CancelAsync();
        Task[] open;
        lock (sessionsGate)
        {
            open = [.. sessions];
        }

        await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        await app.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopping.IsCancellationRequested)
        {
            await StopAsync();
        }

        await app.DisposeAsync();
        stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context, ViewerScene scene, ViewerOptions options, byte[] sceneJson)
    {
        HttpResponse response = context.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        string path = context.Request.Path.Value ?? "";
        if (path == "/ws")
        {
            await AcceptWebSocketAsync(context, scene, options);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (path == "/api/scene")
        {
            await WriteAsync(response, sceneJson, "application/json");
            return;
        }

        if (ViewerAssets.Find(path) is { } asset)
        {
            response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; style-src 'self' 'unsafe-inline'";
            await WriteAsync(response, asset.Content, asset.ContentType);
            return;
        }

        response.StatusCode = StatusCodes.Status404NotFound;
        await WriteAsync(response, "not found"u8.ToArray(), "text/plain; charset=utf-8");
    }

    private async Task AcceptWebSocketAsync(HttpContext context, ViewerScene scene, ViewerOptions options)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // A page from another site must not drive the viewer (a browser always sends Origin on WebSockets).
        string origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && (!Uri.TryCreate(origin, UriKind.Absolute, out Uri? o) || !string.Equals(o.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task run = ended.Task;
        lock (sessionsGate)
        {
            if (sessions.Count >= options.MaxConnections)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            sessions.Add(run);
        }

        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var session = new ViewerSession(socket, scene, options);
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, context.RequestAborted);
            await session.RunAsync(cancel.Token);
        }
        finally
        {
            ended.SetResult();
            lock (sessionsGate)
            {
                sessions.Remove(run);
            }
        }
    }

    private static async Task WriteAsync(HttpResponse response, byte[] content, string contentType)
    {
        response.ContentType = contentType;
        response.ContentLength = content.Length;
        if (!HttpMethods.IsHead(response.HttpContext.Request.Method))
        {
            await response.Body.WriteAsync(content);
        }
    }
}
