using System.Net;
using System.Net.Sockets;
using System.Text;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Metrics;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Metrics;

/// <summary>
/// The export over real HTTP on 127.0.0.1: OpenTelemetry's Prometheus listener on a free port, and its OTLP exporter
/// posting to a collector stand-in.
/// </summary>
public sealed class MetricsExportTests
{
    private const int Listening = 90;
    private const int ListenFailed = 91;
    private const int OtlpExporting = 93;

    /// <summary>Every name the README's Metrics table documents, each with its type: what users alert on.</summary>
    private static readonly (string Name, string Type)[] Documented =
    [
        ("failover_monitor_tunnel_status", "gauge"), ("failover_monitor_tunnel_backup_active", "gauge"),
        ("failover_monitor_tunnel_live_connectors", "gauge"), ("failover_monitor_tunnel_hold", "gauge"),
        ("failover_monitor_tunnel_failovers_total", "counter"), ("failover_monitor_tunnel_failbacks_total", "counter"),
        ("failover_monitor_tunnel_restarts_total", "counter"), ("failover_monitor_tunnel_holds_total", "counter"),
        ("failover_monitor_tunnel_configuration_problems_total", "counter"), ("failover_monitor_api_calls_total", "counter"),
        ("failover_monitor_api_call_duration_seconds", "histogram"), ("failover_monitor_api_requests_sent_total", "counter"),
        ("failover_monitor_api_requests_last_5m", "gauge"), ("failover_monitor_api_budget_per_5m", "gauge"),
        ("failover_monitor_api_rate_limited", "gauge"), ("failover_monitor_gateway_reachable", "gauge"),
        ("failover_monitor_cycle_duration_seconds", "histogram"),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/metrics")]
    [InlineData("http://127.0.0.1:4318/", "http://127.0.0.1:4318/v1/metrics")]
    [InlineData("https://collector.example:4318/otlp/v1/metrics", "https://collector.example:4318/otlp/v1/metrics")]
    public void MetricsUri_DefaultPathOnlyWhenNoneGiven(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), MetricsExport.MetricsUri(new Uri(endpoint)));

    [Fact]
    public async Task Get_Metrics_200WithPrometheusContentTypeAndCurrentValues()
    {
        var tunnels = new MetricsRig.TwoTunnels();
        using var rig = tunnels.Serve();
        rig.Metrics.OnAction(tunnels.Settings.Tunnels[0], DecisionKind.StartBackup, took: true, "down");

        using var response = await rig.SendAsync(new HttpRequestMessage(HttpMethod.Get, rig.ScrapeUri));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("\nfailover_monitor_tunnel_failovers_total{result=\"ok\",tunnel=\"web\"} 1\n", body, StringComparison.Ordinal);
        var line = Assert.Single(rig.Logs.WithId(Listening));
        Assert.Equal($"Metrics: serving Prometheus text at http://{rig.ScrapeUri.Authority}/metrics", line.Message);
    }

    [Fact]
    public async Task Get_TwiceInARow_EachReadsTheCurrentValues()
    {
        using var rig = new MetricsRig.TwoTunnels().Serve();
        for (var i = 1; i <= 2; i++)
        {
            rig.Metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(10));
            using var response = await rig.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(rig.ScrapeUri, "?x=1")));
            Assert.Contains($"\nfailover_monitor_cycle_duration_seconds_count{{}} {i}\n", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Head_Metrics_HeadersWithoutBody()
    {
        using var rig = new MetricsRig.TwoTunnels().Serve();
        rig.Metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(10));

        using var response = await rig.SendAsync(new HttpRequestMessage(HttpMethod.Head, rig.ScrapeUri));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Get_OtherPath_404()
    {
        using var rig = new MetricsRig.TwoTunnels().Serve();

        using var response = await rig.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(rig.ScrapeUri, "/status")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Get_HostOtherThanTheListenAddress_404()
    {
        using var rig = new MetricsRig.TwoTunnels().Serve();

        using var response = await rig.SendAsync(new HttpRequestMessage(HttpMethod.Get, new UriBuilder(rig.ScrapeUri) { Host = "localhost" }.Uri));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Request_NotHttp_400()
    {
        using var rig = new MetricsRig.TwoTunnels().Serve();

        var answer = await ExchangeAsync(rig.ScrapeUri.Port, "HELLO\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_ClientStallsMidHead_OthersStillServed()
    {
        using var rig = new MetricsRig.TwoTunnels().Serve();
        using var stalled = new TcpClient();
        await stalled.ConnectAsync(IPAddress.Loopback, rig.ScrapeUri.Port, Ct);
        await stalled.GetStream().WriteAsync("GET /metr"u8.ToArray(), Ct);

        using var response = await rig.SendAsync(new HttpRequestMessage(HttpMethod.Get, rig.ScrapeUri));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Start_PortAlreadyTaken_LogsAndServesNothing()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var endPoint = (IPEndPoint)taken.LocalEndpoint;
        var logs = new FakeLogCollector();
        using var export = new MetricsExport("FailoverMonitor.Tests." + Guid.NewGuid().ToString("N"), endPoint, null, 256, logs.CreateFactory().CreateLogger<MetricsExport>());

        await export.StartAsync(Ct);

        Assert.Null(export.ScrapeUri);
        var line = Assert.Single(logs.WithId(ListenFailed));
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.StartsWith($"Metrics: cannot listen on {endPoint}: ", line.Message, StringComparison.Ordinal);
        Assert.EndsWith(". Monitoring goes on without /metrics.", line.Message, StringComparison.Ordinal);
        Assert.Empty(logs.WithId(Listening));
        await export.StopAsync(Ct);
    }

    [Fact]
    public async Task Stop_AfterAFailover_PostsTheMetricsAsOtlpProtobufWhileServingPrometheus()
    {
        var received = new TaskCompletionSource<(string Path, string? ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await LoopbackServer.StartAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            if (Encoding.UTF8.GetString(body.ToArray()).Contains("failover_monitor.tunnel.failovers", StringComparison.Ordinal))
            {
                received.TrySetResult((context.Request.Path, context.Request.ContentType, body.ToArray()));
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        }, Ct);
        var tunnels = new MetricsRig.TwoTunnels();
        using var rig = tunnels.Serve(otlp: new Uri($"http://{collector.Address}"));

        rig.Metrics.OnAction(tunnels.Settings.Tunnels[0], DecisionKind.StartBackup, took: true, "down");
        Assert.Equal(1, (await rig.ScrapeAsync()).Value("failover_monitor_tunnel_failovers_total", ("tunnel", "web"), ("result", "ok")));
        await rig.Export.StopAsync(Ct);

        var (path, contentType, payload) = await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal("/v1/metrics", path);
        Assert.Equal("application/x-protobuf", contentType);
        Assert.Contains("failover-monitor", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        Assert.Equal($"Metrics: exporting over OTLP (http/protobuf) to http://{collector.Address}/v1/metrics", Assert.Single(rig.Logs.WithId(OtlpExporting)).Message);
    }

    [Fact]
    public async Task Start_PortTakenWithOtlp_OtlpStillPosts()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await LoopbackServer.StartAsync(context =>
        {
            received.TrySetResult();
            context.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        }, Ct);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var tunnels = new MetricsRig.TwoTunnels();
        using var metrics = new MonitorMetrics(tunnels.Usage, tunnels.Loaded, "FailoverMonitor.Tests." + Guid.NewGuid().ToString("N"));
        var logs = new FakeLogCollector();
        using var export = new MetricsExport(metrics.Meter.Name, (IPEndPoint)taken.LocalEndpoint, new Uri($"http://{collector.Address}"), 256, logs.CreateFactory().CreateLogger<MetricsExport>());

        await export.StartAsync(Ct);
        metrics.OnHold(tunnels.Settings.Tunnels[0], "flapping");
        await export.StopAsync(Ct);

        await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Single(logs.WithId(ListenFailed));
        Assert.Single(logs.WithId(OtlpExporting));
    }

    [Fact]
    public async Task Scrape_EveryFamilyPopulated_DocumentedNamesAndTheSampleThatCiChecksWithPromtool()
    {
        var tunnels = new MetricsRig.TwoTunnels(dbName: "db \"eu\\west\"");
        var (web, db) = (tunnels.Settings.Tunnels[0], tunnels.Settings.Tunnels[1]);
        using var rig = tunnels.Serve();
        rig.Metrics.OnPublished(tunnels.Snapshot(gatewayReachable: true,
            MetricsRig.TwoTunnels.View(web, TunnelStatus.Down, backupActive: true, liveConnectors: ["backup"]),
            MetricsRig.TwoTunnels.View(db, TunnelStatus.Healthy, backupActive: false)));
        var token = tunnels.Token;
        foreach (var (failure, millis) in new (ApiFailureKind?, int)[] { (null, 40), (null, 120), (ApiFailureKind.ServerError, 900), (ApiFailureKind.Timeout, 7500) })
        {
            tunnels.Usage.CountRequest(token);
            var started = tunnels.Usage.CallStarted();
            tunnels.Clock.Advance(TimeSpan.FromMilliseconds(millis));
            tunnels.Usage.CallEnded(token, started, failure);
        }

        rig.Metrics.OnAction(web, DecisionKind.StartBackup, took: true, "down");
        rig.Metrics.OnAction(web, DecisionKind.RestartBackup, took: false, "never connected");
        rig.Metrics.OnAction(db, DecisionKind.StopBackup, took: true, "primary back");
        rig.Metrics.OnHold(web, "flapping");
        rig.Metrics.OnConfigurationProblem(db, "HTTP 403");
        rig.Metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(35));

        var scraped = await rig.ScrapeAsync();

        Assert.Equal(Documented.OrderBy(d => d.Name, StringComparer.Ordinal), scraped.Types.Select(t => (t.Key, t.Value)).OrderBy(t => t.Key, StringComparer.Ordinal));
        Assert.All(Documented, d => Assert.Contains(scraped.Samples, s => s.Name.StartsWith(d.Name, StringComparison.Ordinal)));
        Assert.All(Documented, d => Assert.Contains($"\n# HELP {d.Name} ", scraped.Text, StringComparison.Ordinal));
        Assert.DoesNotContain(token.Reveal(), scraped.Text, StringComparison.Ordinal);
        Assert.Contains("failover_monitor_tunnel_status{status=\"healthy\",tunnel=\"db \\\"eu\\\\west\\\"\"} 1\n", scraped.Text, StringComparison.Ordinal);
        Assert.Equal(1, scraped.Value("failover_monitor_tunnel_status", ("tunnel", "db \"eu\\west\""), ("status", "healthy")));
        var sample = Path.Combine(RepositoryRoot(), "artifacts", "metrics-sample.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(sample)!);
        await File.WriteAllTextAsync(sample, scraped.Text, Ct);
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

    /// <summary>Sends <paramref name="request"/> raw to 127.0.0.1:<paramref name="port"/> and reads the answer to the end.</summary>
    private static async Task<string> ExchangeAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }
}
