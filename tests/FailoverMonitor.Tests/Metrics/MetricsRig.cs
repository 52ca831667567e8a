using System.Net;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Metrics;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Metrics;

/// <summary>
/// <see cref="MonitorMetrics"/> on a meter name of its own (tests run in parallel and OpenTelemetry picks meters by
/// name), served by a started <see cref="MetricsExport"/> on 127.0.0.1 and a free port, scraped over real HTTP.
/// </summary>
internal sealed class MetricsRig : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private MetricsRig(MonitorMetrics metrics, MetricsExport export, CollectingLoggerProvider logs)
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
    public CollectingLoggerProvider Logs { get; }

    /// <summary>Where <c>/metrics</c> is served.</summary>
    public Uri ScrapeUri => Export.ScrapeUri ?? throw new InvalidOperationException("not serving");

    /// <summary>Creates the metrics over <paramref name="latest"/>, <paramref name="usage"/> and <paramref name="options"/> and serves them (OTLP too when <paramref name="otlp"/> is given).</summary>
    public static MetricsRig Start(Func<StatusSnapshot?> latest, ApiUsage usage, MonitorOptions options, Uri? otlp = null)
    {
        var metrics = new MonitorMetrics(latest, usage, options, "FailoverMonitor.Tests." + Guid.NewGuid().ToString("N"));
        var logs = new CollectingLoggerProvider();
        // The port was free a moment ago; a parallel test may take it in between, so try a few.
        for (var attempt = 1; ; attempt++)
        {
            var export = new MetricsExport(metrics.Meter.Name, new IPEndPoint(IPAddress.Loopback, LoopbackPort.Unused()), otlp, MonitorMetrics.SeriesLimit(options),
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
        Logs.Dispose();
    }

    /// <summary>Two tunnels, web and db, sharing one token (never shown), with a fake clock for the API usage.</summary>
    internal sealed class TwoTunnels
    {
        public TwoTunnels()
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
        }

        public FakeTimeProvider Clock { get; } = new();

        public MonitorOptions Options { get; }

        public ApiUsage Usage { get; }

        /// <summary>Metrics over these tunnels with gauges reading <paramref name="latest"/>, served.</summary>
        public MetricsRig Serve(Func<StatusSnapshot?> latest, Uri? otlp = null) => Start(latest, Usage, Options, otlp);
    }
}
