using FailoverMonitor.Cloudflare;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace FailoverMonitor.Tests.Cloudflare;

/// <summary><see cref="CloudflaredReadyClient"/> against a tiny Kestrel standing in for cloudflared's metrics server on loopback.</summary>
public sealed class CloudflaredReadyClientTests : IAsyncLifetime
{
    private const string ReadyBody = """{"status":200,"readyConnections":4,"connectorId":"abc"}""";

    private readonly HttpClient _http = new();
    private readonly CancellationTokenSource _bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
    private LoopbackServer? _server;
    private string _address = null!;
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

    private Task StartAsync(int status, string body) =>
        StartServerAsync(async ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(body, ctx.RequestAborted);
        });

    private Task StartHangingAsync() => StartServerAsync(LoopbackServer.HangAsync);

    private async Task StartServerAsync(RequestDelegate respond)
    {
        _server = await LoopbackServer.StartAsync(
            ctx =>
            {
                _received.TrySetResult((ctx.Request.Method, ctx.Request.Path.Value ?? ""));
                return respond(ctx);
            },
            _bound.Token);
        _address = _server.Address;
    }
}
