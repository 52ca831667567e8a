using System.Net;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Metrics;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Metrics;

/// <summary>
/// <see cref="MonitorMetrics"/> on a meter name of its own (tests run in parallel and OpenTelemetry picks meters by
/// name), served by a started <see cref="MetricsExport"/> on 127.0.0.1 and a free port, scraped over real HTTP.
/// </summary>
internal sealed class MetricsRig : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private MetricsRig(MonitorMetrics metrics, MetricsExport export, FakeLogCollector logs)
    {
        Metrics = metrics;
        Export = export;
        Logs = logs;
    }

    /// <summary>The instruments under test.</summary>
    public MonitorMetrics Metrics { get; }

    /// <summary>The started export serving them.</summary>
    public MetricsExport Export { get; }

    /// <summary>What the export logged.</summary>
    public FakeLogCollector Logs { get; }

    /// <summary>Where <c>/metrics</c> is served.</summary>
    public Uri ScrapeUri => Export.ScrapeUri ?? throw new InvalidOperationException("not serving");

    /// <summary>Creates the metrics over <paramref name="usage"/> and <paramref name="loaded"/> and serves them (OTLP too when <paramref name="otlp"/> is given).</summary>
    public static MetricsRig Start(ApiUsage usage, LoadedConfiguration loaded, Uri? otlp = null)
    {
        var metrics = new MonitorMetrics(usage, loaded, "FailoverMonitor.Tests." + Guid.NewGuid().ToString("N"));
        var logs = new FakeLogCollector();
        // The port was free a moment ago; a parallel test may take it in between, so try a few.
        for (var attempt = 1; ; attempt++)
        {
            var export = new MetricsExport(metrics.Meter.Name, new IPEndPoint(IPAddress.Loopback, LoopbackPort.Unused()), otlp, MonitorMetrics.SeriesLimit(loaded.Settings),
                logs.CreateFactory().CreateLogger<MetricsExport>());
            export.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            if (export.ScrapeUri is not null || attempt == 5)
            {
                return new MetricsRig(metrics, export, logs);
            }

            export.Dispose();
        }
    }

    /// <summary>GETs <c>/metrics</c> and reads the body back.</summary>
    public async Task<Exposition> ScrapeAsync() =>
        new(await _http.GetStringAsync(ScrapeUri, TestContext.Current.CancellationToken));

    /// <summary>GETs <paramref name="request"/> (relative to the scrape URI) and returns the response.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request, TestContext.Current.CancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        Export.Dispose();
        Metrics.Dispose();
        _http.Dispose();
    }

    /// <summary>Two tunnels, web and db, sharing one token (never shown), with a fake clock for the API usage.</summary>
    internal sealed class TwoTunnels
    {
        /// <summary>The tunnels web and <paramref name="dbName"/> (a name that needs escaping tests the exposition's labels).</summary>
        public TwoTunnels(string dbName = "db")
        {
            var token = "never-shown-" + Guid.NewGuid().ToString("N");
            Loaded = TestSettings.Loaded(new MonitorSettings { Tunnels = [MonitoringFixtures.Tunnel("web"), MonitoringFixtures.Tunnel(dbName, service: "cloudflared-db")] }, token);
            Token = new ApiToken(token);
            Usage = new ApiUsage(Clock);
        }

        public FakeTimeProvider Clock { get; } = new();

        /// <summary>The two tunnels and their token, as loaded.</summary>
        public LoadedConfiguration Loaded { get; }

        public MonitorSettings Settings => Loaded.Settings;

        /// <summary>The token both tunnels share.</summary>
        public ApiToken Token { get; }

        public ApiUsage Usage { get; }

        /// <summary>Metrics over these tunnels, served; nothing published yet.</summary>
        public MetricsRig Serve(Uri? otlp = null) => Start(Usage, Loaded, otlp);

        /// <summary>What the monitor would publish with <paramref name="tunnels"/> (one view per tunnel, as <see cref="View"/> makes them) and the gateway as given.</summary>
        public MonitorSnapshot Snapshot(bool? gatewayReachable, params TunnelView[] tunnels) => Publishing(Loaded, gatewayReachable, tunnels);

        /// <summary>A view of <paramref name="tunnel"/>: its status (null: never checked, unknown: <paramref name="unknown"/>), backup (null: unreadable), live connectors (null: not read) and hold.</summary>
        public static TunnelView View(TunnelSettings tunnel, TunnelStatus? status, bool? backupActive, string[]? liveConnectors = null, bool held = false, bool unknown = false) =>
            new(tunnel, new TunnelState(backupActive ?? false, HeldSince: held ? new Instant(TimeSpan.FromHours(1), FakeTimeProvider.Start) : null), backupActive is not null,
                status, unknown ? "API timed out" : null,
                status is null && liveConnectors is null ? null : new TunnelObservation { Status = status, Connectors = liveConnectors?.Select(c => new Connector(c, true)).ToList() });
    }

    /// <summary>A snapshot of <paramref name="loaded"/> with <paramref name="tunnels"/>.</summary>
    public static MonitorSnapshot Publishing(LoadedConfiguration loaded, bool? gatewayReachable, params TunnelView[] tunnels) =>
        new(loaded.Settings, loaded.Tokens, "/etc/tunnels.json", "192.0.2.1", gatewayReachable, null, null, 0, null, tunnels);
}
