using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Metrics;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.Monitoring;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Metrics;

/// <summary>The instruments, as Prometheus reads them from <c>/metrics</c> over real HTTP on 127.0.0.1.</summary>
public sealed class MonitorMetricsTests
{
    private static readonly string[] GaugeFamilies =
    [
        "failover_monitor_tunnel_status", "failover_monitor_tunnel_backup_active", "failover_monitor_tunnel_live_connectors",
        "failover_monitor_tunnel_hold", "failover_monitor_gateway_reachable", "failover_monitor_api_budget_per_5m",
        "failover_monitor_api_rate_limited", "failover_monitor_api_requests_sent_total",
    ];

    [Fact]
    public async Task Observer_WorkerFailsOverThenBack_CountsOneFailoverAndOneFailback()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o["min_action_interval"] = 0);
        using var rig = MetricsRig.Start(h.Usage, h.Loaded);
        h.Observers.Add(rig.Metrics);
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync();

        h.PrimaryLeaves();
        await h.CycleAsync(2);
        var failedOver = await rig.ScrapeAsync();
        Assert.Equal(1, failedOver.Value("failover_monitor_tunnel_failovers_total", ("tunnel", "web0"), ("result", "ok")));
        Assert.Null(failedOver.Value("failover_monitor_tunnel_failbacks_total", ("tunnel", "web0"), ("result", "ok")));

        h.PrimaryReturns();
        await h.CycleAsync(3);

        var back = await rig.ScrapeAsync();
        Assert.Equal(1, back.Value("failover_monitor_tunnel_failovers_total", ("tunnel", "web0"), ("result", "ok")));
        Assert.Equal(1, back.Value("failover_monitor_tunnel_failbacks_total", ("tunnel", "web0"), ("result", "ok")));
        Assert.Empty(back.Named("failover_monitor_tunnel_restarts_total"));
        Assert.True(back.Value("failover_monitor_api_calls_total", ("token", "web0"), ("outcome", "ok")) >= 6);
        Assert.DoesNotContain(MonitorHarness.Token, back.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Observer_FailedStartHoldAndConfigurationProblem_Counted()
    {
        var tunnels = new MetricsRig.TwoTunnels();
        using var rig = tunnels.Serve();
        var (metrics, web) = (rig.Metrics, tunnels.Settings.Tunnels[0]);
        metrics.OnAction(web, DecisionKind.StartBackup, took: false, "unit stayed inactive");
        metrics.OnAction(web, DecisionKind.RestartBackup, took: true, "never connected");
        metrics.OnHold(web, "11 actions within an hour");
        metrics.OnConfigurationProblem(web, "HTTP 403");
        metrics.OnAction(web, DecisionKind.None, took: true, "nothing");

        var scraped = await rig.ScrapeAsync();
        Assert.Equal(1, scraped.Value("failover_monitor_tunnel_failovers_total", ("tunnel", "web"), ("result", "failed")));
        Assert.Equal(1, scraped.Value("failover_monitor_tunnel_restarts_total", ("tunnel", "web"), ("result", "ok")));
        Assert.Equal(1, scraped.Value("failover_monitor_tunnel_holds_total", ("tunnel", "web")));
        Assert.Equal(1, scraped.Value("failover_monitor_tunnel_configuration_problems_total", ("tunnel", "web")));
        Assert.Empty(scraped.Named("failover_monitor_tunnel_failbacks_total"));
    }

    [Fact]
    public async Task Gauges_FromTheLatestSnapshot_ExactText()
    {
        var tunnels = new MetricsRig.TwoTunnels();
        var (web, db) = (tunnels.Settings.Tunnels[0], tunnels.Settings.Tunnels[1]);
        using var rig = tunnels.Serve();
        for (var i = 0; i < 42; i++)
        {
            tunnels.Usage.CountRequest(tunnels.Token);
        }

        tunnels.Usage.Block(tunnels.Token, TimeSpan.FromMinutes(1));
        rig.Metrics.OnPublished(tunnels.Snapshot(gatewayReachable: true,
            MetricsRig.TwoTunnels.View(web, TunnelStatus.Down, backupActive: true, liveConnectors: ["b"], held: true),
            MetricsRig.TwoTunnels.View(db, status: null, backupActive: null)));

        var text = await rig.ScrapeAsync();

        // The families in the served order (by name), HELP and TYPE as served; labels come sorted by name.
        var gauges = string.Join('\n', Blocks(text.Text).Where(b => GaugeFamilies.Contains(b.Family)).Select(b => b.Text));
        Assert.Equal(
            """
            # TYPE failover_monitor_api_budget_per_5m gauge
            # HELP failover_monitor_api_budget_per_5m Requests per 5 minutes the configuration needs in steady state (no backup active).
            failover_monitor_api_budget_per_5m{token="web,db"} 100
            # TYPE failover_monitor_api_rate_limited gauge
            # HELP failover_monitor_api_rate_limited Whether a 429 locks the token out (1): no request is sent for it until Retry-After has passed.
            failover_monitor_api_rate_limited{token="web,db"} 1
            # TYPE failover_monitor_api_requests_sent_total counter
            # HELP failover_monitor_api_requests_sent_total HTTP requests sent to the Cloudflare API since start, each retry counted.
            failover_monitor_api_requests_sent_total{token="web,db"} 42
            # TYPE failover_monitor_gateway_reachable gauge
            # HELP failover_monitor_gateway_reachable Whether the gateway answered the last ICMP probe (1) or not (0).
            failover_monitor_gateway_reachable{} 1
            # TYPE failover_monitor_tunnel_backup_active gauge
            # HELP failover_monitor_tunnel_backup_active Whether the local backup unit is active (1) or not (0); absent while its state cannot be read.
            failover_monitor_tunnel_backup_active{tunnel="web"} 1
            # TYPE failover_monitor_tunnel_hold gauge
            # HELP failover_monitor_tunnel_hold Whether the flap guard holds the tunnel (1): no action until a reload or until the hour has passed.
            failover_monitor_tunnel_hold{tunnel="web"} 1
            failover_monitor_tunnel_hold{tunnel="db"} 0
            # TYPE failover_monitor_tunnel_live_connectors gauge
            # HELP failover_monitor_tunnel_live_connectors Live connectors of the tunnel, the local backup included; present while the monitor reads connectors (backup active, failback second_connector).
            failover_monitor_tunnel_live_connectors{tunnel="web"} 1
            # TYPE failover_monitor_tunnel_status gauge
            # HELP failover_monitor_tunnel_status Cloudflare status of the tunnel at the last check: 1 for the current status label, 0 for the others (unknown: the API gave no usable answer).
            failover_monitor_tunnel_status{status="healthy",tunnel="web"} 0
            failover_monitor_tunnel_status{status="degraded",tunnel="web"} 0
            failover_monitor_tunnel_status{status="down",tunnel="web"} 1
            failover_monitor_tunnel_status{status="inactive",tunnel="web"} 0
            failover_monitor_tunnel_status{status="unknown",tunnel="web"} 0
            failover_monitor_tunnel_status{status="healthy",tunnel="db"} 0
            failover_monitor_tunnel_status{status="degraded",tunnel="db"} 0
            failover_monitor_tunnel_status{status="down",tunnel="db"} 0
            failover_monitor_tunnel_status{status="inactive",tunnel="db"} 0
            failover_monitor_tunnel_status{status="unknown",tunnel="db"} 0
            """.ReplaceLineEndings("\n"),
            gauges);
    }

    [Fact]
    public async Task Gauges_BeforeTheFirstSnapshot_NoSeries()
    {
        var tunnels = new MetricsRig.TwoTunnels();
        using var rig = tunnels.Serve();
        tunnels.Usage.CountRequest(tunnels.Token);

        var scraped = await rig.ScrapeAsync();

        Assert.All(GaugeFamilies, family => Assert.Empty(scraped.Named(family)));
    }

    [Fact]
    public async Task Gauges_TunnelGoneFromTheSnapshot_ItsSeriesGone()
    {
        var tunnels = new MetricsRig.TwoTunnels();
        var (web, db) = (MetricsRig.TwoTunnels.View(tunnels.Settings.Tunnels[0], TunnelStatus.Healthy, false), MetricsRig.TwoTunnels.View(tunnels.Settings.Tunnels[1], TunnelStatus.Healthy, false));
        using var rig = tunnels.Serve();
        rig.Metrics.OnPublished(tunnels.Snapshot(true, web, db));
        Assert.Equal(2, (await rig.ScrapeAsync()).Named("failover_monitor_tunnel_backup_active").Count);

        rig.Metrics.OnPublished(tunnels.Snapshot(true, web));

        var scraped = await rig.ScrapeAsync();
        Assert.Equal("web", Assert.Single(scraped.Named("failover_monitor_tunnel_backup_active")).Labels["tunnel"]);
        Assert.All(scraped.Named("failover_monitor_tunnel_status"), s => Assert.Equal("web", s.Labels["tunnel"]));
    }

    [Fact]
    public async Task ApiCall_Failed_CountedByOutcomeWithDurationUnderTheTunnelNames()
    {
        var tunnels = new MetricsRig.TwoTunnels();
        using var rig = tunnels.Serve();
        var (clock, usage) = (tunnels.Clock, tunnels.Usage);
        var started = usage.CallStarted();
        clock.Advance(TimeSpan.FromSeconds(0.3));
        usage.CallEnded(tunnels.Token, started, ApiFailureKind.Unauthorized);

        var scraped = await rig.ScrapeAsync();
        Assert.Equal(1, scraped.Value("failover_monitor_api_calls_total", ("token", "web,db"), ("outcome", "unauthorized")));
        var sum = Assert.Single(scraped.Named("failover_monitor_api_call_duration_seconds_sum"));
        Assert.Equal(new Dictionary<string, string> { ["token"] = "web,db" }, sum.Labels);
        Assert.Equal(0.3, sum.Value, 6);
        // Buckets are cumulative: 0.3 s is the first observation at or below 0.5 and none at or below 0.25.
        Assert.Equal(0, scraped.Value("failover_monitor_api_call_duration_seconds_bucket", ("token", "web,db"), ("le", "0.25")));
        Assert.Equal(1, scraped.Value("failover_monitor_api_call_duration_seconds_bucket", ("token", "web,db"), ("le", "0.5")));
    }

    [Fact]
    public async Task RequestsLast5m_CountsTheSlidingWindow()
    {
        var tunnels = new MetricsRig.TwoTunnels();
        using var rig = tunnels.Serve();
        var (clock, usage) = (tunnels.Clock, tunnels.Usage);
        var token = tunnels.Token;
        usage.CountRequest(token);
        clock.Advance(TimeSpan.FromMinutes(3));
        usage.CountRequest(token);
        usage.CountRequest(token);
        Assert.Equal(3, (await rig.ScrapeAsync()).Value("failover_monitor_api_requests_last_5m", ("token", "web,db")));

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(2, (await rig.ScrapeAsync()).Value("failover_monitor_api_requests_last_5m", ("token", "web,db")));

        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(0, (await rig.ScrapeAsync()).Value("failover_monitor_api_requests_last_5m", ("token", "web,db")));
    }

    [Fact]
    public async Task CycleCompleted_RecordedInSeconds()
    {
        using var rig = new MetricsRig.TwoTunnels().Serve();
        rig.Metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(40));
        rig.Metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(60));

        var scraped = await rig.ScrapeAsync();
        Assert.Equal(2, scraped.Value("failover_monitor_cycle_duration_seconds_count"));
        Assert.Equal(0.1, scraped.Value("failover_monitor_cycle_duration_seconds_sum")!.Value, 6);
        Assert.Equal("histogram", scraped.Types["failover_monitor_cycle_duration_seconds"]);
    }

    [Theory]
    [InlineData(1, 256)]
    [InlineData(25, 256)]
    [InlineData(26, 260)]
    [InlineData(60, 600)]
    public void SeriesLimit_TwiceTheStatusSeriesAtLeast256(int tunnels, int expected) =>
        Assert.Equal(expected, MonitorMetrics.SeriesLimit(new MonitorSettings { Tunnels = [.. Enumerable.Range(0, tunnels).Select(i => MonitoringFixtures.Tunnel($"t{i}"))] }));

    [Fact]
    public async Task Gauges_60Tunnels_EveryStatusSeriesServed()
    {
        var loaded = TestSettings.Loaded(new MonitorSettings { Tunnels = [.. Enumerable.Range(0, 60).Select(i => MonitoringFixtures.Tunnel($"t{i}"))] }, MonitorHarness.Token);
        using var rig = MetricsRig.Start(new ApiUsage(new FakeTimeProvider()), loaded);
        rig.Metrics.OnPublished(MetricsRig.Publishing(loaded, null, [.. loaded.Settings.Tunnels.Select(t => MetricsRig.TwoTunnels.View(t, TunnelStatus.Healthy, null))]));

        var scraped = await rig.ScrapeAsync();

        Assert.Equal(300, scraped.Named("failover_monitor_tunnel_status").Count);
        Assert.Equal(60, scraped.Named("failover_monitor_tunnel_status").Sum(s => s.Value));
        Assert.DoesNotContain("otel_metric_overflow", scraped.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "ok")]
    [InlineData(ApiFailureKind.ServerError, "server_error")]
    [InlineData(ApiFailureKind.RateLimited, "rate_limited")]
    [InlineData(ApiFailureKind.Unauthorized, "unauthorized")]
    [InlineData(ApiFailureKind.NotFound, "not_found")]
    [InlineData(ApiFailureKind.Timeout, "timeout")]
    [InlineData(ApiFailureKind.Transport, "transport")]
    [InlineData(ApiFailureKind.MalformedBody, "malformed")]
    [InlineData(ApiFailureKind.ApiError, "api_error")]
    [InlineData(ApiFailureKind.HttpError, "http_error")]
    public void Outcome_EveryFailureKind_HasItsLabel(ApiFailureKind? failure, string expected) =>
        Assert.Equal(expected, MonitorMetrics.Outcome(failure));

    /// <summary>The body cut into families: each starts at its <c># TYPE</c> line.</summary>
    private static IEnumerable<(string Family, string Text)> Blocks(string body) =>
        body.TrimEnd('\n').Split("# TYPE ").Skip(1).Select(b => (b[..b.IndexOf(' ', StringComparison.Ordinal)], "# TYPE " + b.TrimEnd('\n')));
}
