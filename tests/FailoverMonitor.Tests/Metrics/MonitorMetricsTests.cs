using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Metrics;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.Monitoring;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Metrics;

public sealed class MonitorMetricsTests
{
    private static readonly string[] GaugeFamilies =
    [
        "failover_monitor.tunnel.status", "failover_monitor.tunnel.backup_active", "failover_monitor.tunnel.live_connectors",
        "failover_monitor.tunnel.hold", "failover_monitor.gateway.reachable", "failover_monitor.api.budget_per_5m",
        "failover_monitor.api.rate_limited", "failover_monitor.api.requests_sent",
    ];

    [Fact]
    public async Task Observer_WorkerFailsOverThenBack_CountsOneFailoverAndOneFailback()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o.MinActionInterval = 0);
        using var metrics = new MonitorMetrics(() => new StateFile(h.StatePath).Read(), h.Usage, h.Options);
        using var collector = new MetricsCollector(metrics.Meter);
        h.Observers.Add(metrics);
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync();

        h.PrimaryLeaves();
        await h.CycleAsync(2);
        Assert.Equal(1, Value(collector, "failover_monitor.tunnel.failovers", ("tunnel", "web0"), ("result", "ok")));
        Assert.Null(Value(collector, "failover_monitor.tunnel.failbacks", ("tunnel", "web0"), ("result", "ok")));

        h.PrimaryReturns();
        await h.CycleAsync(3);

        Assert.Equal(1, Value(collector, "failover_monitor.tunnel.failovers", ("tunnel", "web0"), ("result", "ok")));
        Assert.Equal(1, Value(collector, "failover_monitor.tunnel.failbacks", ("tunnel", "web0"), ("result", "ok")));
        Assert.Empty(Family(collector, "failover_monitor.tunnel.restarts").Series);
        Assert.True(Value(collector, "failover_monitor.api.calls", ("token", "web0"), ("outcome", "ok")) >= 6);
        Assert.DoesNotContain(MonitorHarness.Token, PrometheusTextWriter.Write(collector.Collect()), StringComparison.Ordinal);
    }

    [Fact]
    public void Observer_FailedStartHoldAndConfigurationProblem_Counted()
    {
        using var rig = new Rig(() => null);
        var (metrics, collector) = (rig.Metrics, rig.Collector);
        var web = rig.Options.Tunnels[0];
        metrics.OnAction(web, DecisionKind.StartBackup, took: false, "unit stayed inactive");
        metrics.OnAction(web, DecisionKind.RestartBackup, took: true, "never connected");
        metrics.OnHold(web, "11 actions within an hour");
        metrics.OnConfigurationProblem(web, "HTTP 403");
        metrics.OnAction(web, DecisionKind.None, took: true, "nothing");

        Assert.Equal(1, Value(collector, "failover_monitor.tunnel.failovers", ("tunnel", "web"), ("result", "failed")));
        Assert.Equal(1, Value(collector, "failover_monitor.tunnel.restarts", ("tunnel", "web"), ("result", "ok")));
        Assert.Equal(1, Value(collector, "failover_monitor.tunnel.holds", ("tunnel", "web")));
        Assert.Equal(1, Value(collector, "failover_monitor.tunnel.configuration_problems", ("tunnel", "web")));
    }

    [Fact]
    public void Gauges_FromTheLatestSnapshot_ExactText()
    {
        var snapshot = new StatusSnapshot
        {
            GatewayReachable = true,
            Tunnels =
            [
                new TunnelStatusEntry { Name = "web", Status = "down", BackupActive = true, LiveConnectors = ["b"], HeldSince = FakeTimeProvider.Start },
                new TunnelStatusEntry { Name = "db", Status = null, BackupActive = null },
            ],
            Tokens = [new TokenStatusEntry { Tunnels = ["web", "db"], RequestsSent = 42, BudgetPer5Minutes = 100, RateLimitedUntil = FakeTimeProvider.Start }],
        };
        using var rig = new Rig(() => snapshot);
        var collector = rig.Collector;
        var text = PrometheusTextWriter.Write(collector.Collect().Where(f => GaugeFamilies.Contains(f.Name)));

        Assert.Equal(
            """
            # HELP failover_monitor_api_budget_per_5m Requests per 5 minutes the configuration needs in steady state (no backup active).
            # TYPE failover_monitor_api_budget_per_5m gauge
            failover_monitor_api_budget_per_5m{token="web,db"} 100
            # HELP failover_monitor_api_rate_limited Whether a 429 locks the token out (1): no request is sent for it until Retry-After has passed.
            # TYPE failover_monitor_api_rate_limited gauge
            failover_monitor_api_rate_limited{token="web,db"} 1
            # HELP failover_monitor_api_requests_sent_total HTTP requests sent to the Cloudflare API since start, each retry counted.
            # TYPE failover_monitor_api_requests_sent_total counter
            failover_monitor_api_requests_sent_total{token="web,db"} 42
            # HELP failover_monitor_gateway_reachable Whether the gateway answered the last ICMP probe (1) or not (0).
            # TYPE failover_monitor_gateway_reachable gauge
            failover_monitor_gateway_reachable 1
            # HELP failover_monitor_tunnel_backup_active Whether the local backup unit is active (1) or not (0); absent while its state cannot be read.
            # TYPE failover_monitor_tunnel_backup_active gauge
            failover_monitor_tunnel_backup_active{tunnel="web"} 1
            # HELP failover_monitor_tunnel_hold Whether the flap guard holds the tunnel (1): no action until a reload or until the hour has passed.
            # TYPE failover_monitor_tunnel_hold gauge
            failover_monitor_tunnel_hold{tunnel="db"} 0
            failover_monitor_tunnel_hold{tunnel="web"} 1
            # HELP failover_monitor_tunnel_live_connectors Live connectors of the tunnel, the local backup included; present while the monitor reads connectors (backup active, failback second_connector).
            # TYPE failover_monitor_tunnel_live_connectors gauge
            failover_monitor_tunnel_live_connectors{tunnel="web"} 1
            # HELP failover_monitor_tunnel_status Cloudflare status of the tunnel at the last check: 1 for the current status label, 0 for the others (unknown: the API gave no usable answer).
            # TYPE failover_monitor_tunnel_status gauge
            failover_monitor_tunnel_status{tunnel="db",status="degraded"} 0
            failover_monitor_tunnel_status{tunnel="db",status="down"} 0
            failover_monitor_tunnel_status{tunnel="db",status="healthy"} 0
            failover_monitor_tunnel_status{tunnel="db",status="inactive"} 0
            failover_monitor_tunnel_status{tunnel="db",status="unknown"} 0
            failover_monitor_tunnel_status{tunnel="web",status="degraded"} 0
            failover_monitor_tunnel_status{tunnel="web",status="down"} 1
            failover_monitor_tunnel_status{tunnel="web",status="healthy"} 0
            failover_monitor_tunnel_status{tunnel="web",status="inactive"} 0
            failover_monitor_tunnel_status{tunnel="web",status="unknown"} 0

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Gauges_BeforeTheFirstSnapshot_NoSeries()
    {
        using var rig = new Rig(() => null);
        var collector = rig.Collector;
        Assert.All(collector.Collect().Where(f => GaugeFamilies.Contains(f.Name)), f => Assert.Empty(f.Series));
    }

    [Fact]
    public void ApiCall_Failed_CountedByOutcomeWithDurationUnderTheTunnelNames()
    {
        using var rig = new Rig(() => null);
        var (clock, usage, collector, options) = (rig.Clock, rig.Usage, rig.Collector, rig.Options);
        var started = usage.CallStarted();
        clock.Advance(TimeSpan.FromSeconds(0.3));
        usage.CallEnded(options.Tunnels[0].ResolvedToken!, started, ApiFailureKind.Unauthorized);

        Assert.Equal(1, Value(collector, "failover_monitor.api.calls", ("token", "web,db"), ("outcome", "unauthorized")));
        var duration = Family(collector, "failover_monitor.api.call.duration").Series.Single();
        Assert.Equal([new KeyValuePair<string, string>("token", "web,db")], duration.Labels);
        Assert.Equal(0.3, duration.Value, 6);
        Assert.Equal(1, duration.Histogram!.Counts[Array.IndexOf([.. duration.Histogram.Bounds], 0.5)]);
    }

    [Fact]
    public void RequestsLast5m_CountsTheSlidingWindow()
    {
        using var rig = new Rig(() => null);
        var (clock, usage, collector, options) = (rig.Clock, rig.Usage, rig.Collector, rig.Options);
        var token = options.Tunnels[0].ResolvedToken!;
        usage.CountRequest(token);
        clock.Advance(TimeSpan.FromMinutes(3));
        usage.CountRequest(token);
        usage.CountRequest(token);
        Assert.Equal(3, Value(collector, "failover_monitor.api.requests_last_5m", ("token", "web,db")));

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(2, Value(collector, "failover_monitor.api.requests_last_5m", ("token", "web,db")));

        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(0, Value(collector, "failover_monitor.api.requests_last_5m", ("token", "web,db")));
    }

    [Fact]
    public void CycleCompleted_RecordedInSeconds()
    {
        using var rig = new Rig(() => null);
        var (metrics, collector) = (rig.Metrics, rig.Collector);
        metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(40));
        metrics.OnCycleCompleted(TimeSpan.FromMilliseconds(60));

        var series = Family(collector, "failover_monitor.cycle.duration").Series.Single();
        Assert.Equal(2, series.Histogram!.Count);
        Assert.Equal(0.1, series.Value, 6);
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

    internal static MetricFamily Family(MetricsCollector collector, string name) => collector.Collect().Single(f => f.Name == name);

    internal static double? Value(MetricsCollector collector, string name, params (string Name, string Value)[] labels) =>
        Family(collector, name).Series
            .SingleOrDefault(s => s.Labels.Select(l => (l.Key, l.Value)).SequenceEqual(labels))?.Value;

    /// <summary>Metrics over two tunnels, web and db, sharing one token, with the snapshot <c>latest</c> returns and a fake clock.</summary>
    internal sealed class Rig : IDisposable
    {
        public Rig(Func<StatusSnapshot?> latest)
        {
            var token = new ApiToken("never-shown-" + Guid.NewGuid().ToString("N"));
            Options = new MonitorOptions
            {
                Tunnels =
                [
                    new TunnelOptions { Name = "web", TunnelId = Guid.NewGuid().ToString(), AccountId = MonitorHarness.Account, Service = "cloudflared-web", ResolvedToken = token },
                    new TunnelOptions { Name = "db", TunnelId = Guid.NewGuid().ToString(), AccountId = MonitorHarness.Account, Service = "cloudflared-db", ResolvedToken = token },
                ],
            };
            Usage = new ApiUsage(Clock);
            Metrics = new MonitorMetrics(latest, Usage, Options);
            Collector = new MetricsCollector(Metrics.Meter);
        }

        public FakeTimeProvider Clock { get; } = new();

        public MonitorOptions Options { get; }

        public ApiUsage Usage { get; }

        public MonitorMetrics Metrics { get; }

        public MetricsCollector Collector { get; }

        public void Dispose()
        {
            Collector.Dispose();
            Metrics.Dispose();
        }
    }
}
