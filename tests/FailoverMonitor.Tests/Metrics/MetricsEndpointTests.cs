using System.Net;
using System.Net.Sockets;
using System.Text;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Metrics;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Metrics;

/// <summary>The endpoint over real HTTP on 127.0.0.1 and a port the OS picks; request timeouts run on a fake clock.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private const int ListenFailed = 91;
    private const int RequestFailed = 92;

    private readonly CollectingLoggerProvider _logs = new();
    private readonly MonitorMetricsTests.Rig _rig;
    private readonly MetricsEndpoint _endpoint;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private Uri _base = null!;

    public MetricsEndpointTests()
    {
        _rig = new MonitorMetricsTests.Rig(() => Snapshot);
        _endpoint = CreateEndpoint(new IPEndPoint(IPAddress.Loopback, 0));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private StatusSnapshot? Snapshot { get; set; }

    public async ValueTask InitializeAsync()
    {
        await _endpoint.StartAsync(Ct);
        var bound = await _endpoint.Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        _base = new Uri($"http://{bound}/");
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.StopAsync(CancellationToken.None);
        _endpoint.Dispose();
        _http.Dispose();
        _rig.Dispose();
    }

    [Fact]
    public async Task Get_Metrics_200WithPrometheusContentTypeAndCurrentValues()
    {
        _rig.Metrics.OnAction(_rig.Options.Tunnels[0], DecisionKind.StartBackup, took: true, "down");

        using var response = await _http.GetAsync(new Uri(_base, "metrics"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("failover_monitor_tunnel_failovers_total{tunnel=\"web\",result=\"ok\"} 1\n", body, StringComparison.Ordinal);
        Assert.Equal(PrometheusTextWriter.Write(_rig.Collector.Collect()), body);
    }

    [Fact]
    public async Task Get_TwiceInARow_EachAnsweredOnItsOwnConnection()
    {
        for (var i = 1; i <= 2; i++)
        {
            _rig.Metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(10));
            var body = await _http.GetStringAsync(new Uri(_base, "metrics?x=1"), Ct);
            Assert.Contains($"failover_monitor_cycle_duration_seconds_count {i}\n", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Head_Metrics_HeadersWithoutBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(_base, "metrics"));
        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Get_OtherPath_404()
    {
        using var response = await _http.GetAsync(new Uri(_base, "status"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Post_Metrics_405WithAllow()
    {
        using var response = await _http.PostAsync(new Uri(_base, "metrics"), new ByteArrayContent([]), Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Request_NotHttp_400()
    {
        var answer = await ExchangeAsync("HELLO\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_HeadLargerThanTheLimit_400AndTheNextRequestServed()
    {
        // Exactly the limit and no blank line: the server reads it all, so closing sends no reset.
        var answer = await ExchangeAsync("GET /metrics HTTP/1.1\r\nX-Big: ".PadRight(MetricsEndpoint.MaxRequestHead, 'a'));

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(_base, "metrics"), Ct)).StatusCode);
    }

    [Fact]
    public async Task Request_ClientStallsMidHead_DroppedAfterTheTimeoutAndTheNextRequestServed()
    {
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(IPAddress.Loopback, _base.Port, Ct);
        var stream = stalled.GetStream();
        await stream.WriteAsync("GET /metr"u8.ToArray(), Ct);

        await _rig.Clock.WaitForTimerAsync(due => due == MetricsEndpoint.RequestTimeout);
        _rig.Clock.Advance(MetricsEndpoint.RequestTimeout);

        // The server closes the connection without an answer.
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0, read);
        // Logged before the connection is closed, so already there.
        Assert.Equal(LogLevel.Debug, Assert.Single(_logs.WithId(RequestFailed)).Level);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri(_base, "metrics"), Ct)).StatusCode);
    }

    [Fact]
    public async Task Start_PortAlreadyTaken_LogsAndListeningFaults()
    {
        var taken = new IPEndPoint(IPAddress.Loopback, _base.Port);
        using var second = CreateEndpoint(taken);

        await second.StartAsync(Ct);

        await Assert.ThrowsAsync<SocketException>(() => second.Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        var line = Assert.Single(_logs.WithId(ListenFailed));
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains(taken.ToString(), line.Message, StringComparison.Ordinal);
        await second.StopAsync(Ct);
    }

    [Fact]
    public async Task Scrape_EveryFamilyPopulated_WrittenAsTheSampleThatCiChecksWithPromtool()
    {
        Snapshot = new StatusSnapshot
        {
            GatewayReachable = true,
            Tunnels =
            [
                new TunnelStatusEntry { Name = "web", Status = "down", BackupActive = true, LiveConnectors = ["backup"] },
                new TunnelStatusEntry { Name = "db \"eu\\west\"", Status = "healthy", BackupActive = false },
            ],
            Tokens = [new TokenStatusEntry { Tunnels = ["web", "db \"eu\\west\""], RequestsSent = 120, BudgetPer5Minutes = 100 }],
        };
        var (web, db) = (_rig.Options.Tunnels[0], _rig.Options.Tunnels[1]);
        db.Name = "db \"eu\\west\"";
        _rig.Usage.NameTokens(_rig.Options.Tunnels);
        var token = web.ResolvedToken!;
        foreach (var (failure, millis) in new (ApiFailureKind?, int)[] { (null, 40), (null, 120), (ApiFailureKind.ServerError, 900), (ApiFailureKind.Timeout, 7500) })
        {
            _rig.Usage.CountRequest(token);
            var started = _rig.Usage.CallStarted();
            _rig.Clock.Advance(TimeSpan.FromMilliseconds(millis));
            _rig.Usage.CallEnded(token, started, failure);
        }

        _rig.Metrics.OnAction(web, DecisionKind.StartBackup, took: true, "down");
        _rig.Metrics.OnAction(web, DecisionKind.RestartBackup, took: false, "never connected");
        _rig.Metrics.OnAction(db, DecisionKind.StopBackup, took: true, "primary back");
        _rig.Metrics.OnHold(web, "flapping");
        _rig.Metrics.OnConfigurationProblem(db, "HTTP 403");
        _rig.Metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(35));

        var body = await _http.GetStringAsync(new Uri(_base, "metrics"), Ct);

        var families = _rig.Collector.Collect();
        Assert.All(families, f => Assert.Contains($"\n{PrometheusTextWriter.MetricName(f)}", "\n" + body, StringComparison.Ordinal));
        Assert.DoesNotContain(token.Reveal(), body, StringComparison.Ordinal);
        Assert.Contains("failover_monitor_tunnel_status{tunnel=\"db \\\"eu\\\\west\\\"\",status=\"healthy\"} 1\n", body, StringComparison.Ordinal);
        var sample = Path.Combine(RepositoryRoot(), "artifacts", "metrics-sample.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(sample)!);
        await File.WriteAllTextAsync(sample, body, Ct);
    }

    /// <summary>The repository's root (where FailoverMonitor.sln is), found upward from the test binaries.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FailoverMonitor.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("FailoverMonitor.sln not found above " + AppContext.BaseDirectory);
    }

    private MetricsEndpoint CreateEndpoint(IPEndPoint endPoint) =>
        new(_rig.Collector, endPoint, _rig.Clock, _logs.CreateFactory().CreateLogger<MetricsEndpoint>());

    /// <summary>Sends <paramref name="request"/> raw and reads the answer to the end.</summary>
    private async Task<string> ExchangeAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _base.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }
}
