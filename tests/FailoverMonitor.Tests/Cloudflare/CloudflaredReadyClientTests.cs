using System.Net;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FailoverMonitor.Tests.Cloudflare;

/// <summary><see cref="CloudflaredReadyClient"/> against a tiny Kestrel standing in for cloudflared's metrics server on loopback.</summary>
public sealed class CloudflaredReadyClientTests : IAsyncLifetime
{
    private const string ReadyBody = """{"status":200,"readyConnections":4,"connectorId":"abc"}""";

    private readonly HttpClient _http = new();
    private readonly CancellationTokenSource _bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
    private WebApplication? _server;
    private string _address = null!;
    private RequestDelegate _respond = _ => Task.CompletedTask;
    private readonly TaskCompletionSource<(string Method, string Path)> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _bound.CancelAfter(TimeSpan.FromSeconds(10));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null)
        {
            await _server.StopAsync(CancellationToken.None);
            await _server.DisposeAsync();
        }

        _bound.Dispose();
    }

    [Fact]
    public async Task GetConnectorIdAsync_Ready200_ReturnsConnectorIdFromGetReady()
    {
        await StartAsync(200, ReadyBody);

        var id = await new CloudflaredReadyClient(_http).GetConnectorIdAsync(_address, _bound.Token);

        Assert.Equal("abc", id);
        Assert.Equal(("GET", "/ready"), await _received.Task.WaitAsync(_bound.Token));
    }

    [Fact]
    public async Task GetConnectorIdAsync_NotReady503_StillReturnsConnectorId()
    {
        await StartAsync(503, """{"status":503,"readyConnections":0,"connectorId":"abc"}""");

        var id = await new CloudflaredReadyClient(_http).GetConnectorIdAsync(_address, _bound.Token);

        Assert.Equal("abc", id);
    }

    [Fact]
    public async Task GetConnectorIdAsync_NothingListening_Null()
    {
        var id = await new CloudflaredReadyClient(_http).GetConnectorIdAsync($"127.0.0.1:{LoopbackPort.Unused()}", _bound.Token);

        Assert.Null(id);
    }

    [Theory]
    [InlineData("<html><body>404 page not found</body></html>")]
    [InlineData("""{"status":200,"readyConnections":4}""")]
    [InlineData("""{"status":200,"readyConnections":4,"connectorId":""}""")]
    [InlineData("""{"status":200,"readyConnections":4,"connectorId":"  "}""")]
    [InlineData("")]
    public async Task GetConnectorIdAsync_NoUsableConnectorId_Null(string body)
    {
        await StartAsync(200, body);

        var id = await new CloudflaredReadyClient(_http).GetConnectorIdAsync(_address, _bound.Token);

        Assert.Null(id);
    }

    [Fact]
    public async Task GetConnectorIdAsync_ServerHangsPastHttpClientTimeout_Null()
    {
        await StartHangingAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(100) }; // real time: HttpClient has no clock to inject

        var id = await new CloudflaredReadyClient(http).GetConnectorIdAsync(_address, _bound.Token).WaitAsync(_bound.Token);

        Assert.Null(id);
    }

    [Fact]
    public async Task GetConnectorIdAsync_CallerCancelsDuringHang_ThrowsOperationCanceled()
    {
        await StartHangingAsync();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(_bound.Token);
        var call = new CloudflaredReadyClient(_http).GetConnectorIdAsync(_address, caller.Token);
        await _received.Task.WaitAsync(_bound.Token);

        await caller.CancelAsync();

        Exception? caught = null;
        try
        {
            await call.WaitAsync(_bound.Token);
        }
        catch (Exception e)
        {
            caught = e;
        }

        Assert.IsAssignableFrom<OperationCanceledException>(caught);
        Assert.False(_bound.IsCancellationRequested);
    }

    private Task StartAsync(int status, string body)
    {
        _respond = async ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(body, ctx.RequestAborted);
        };
        return StartServerAsync();
    }

    private Task StartHangingAsync()
    {
        _respond = async ctx =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // the client gave up or the server is stopping
            }
        };
        return StartServerAsync();
    }

    private async Task StartServerAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        _server = builder.Build();
        _server.Run(ctx =>
        {
            _received.TrySetResult((ctx.Request.Method, ctx.Request.Path.Value ?? ""));
            return _respond(ctx);
        });
        await _server.StartAsync(_bound.Token);
        var address = _server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _address = $"127.0.0.1:{new Uri(address).Port}";
    }
}
