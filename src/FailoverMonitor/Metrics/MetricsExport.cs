using System.Net;
using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FailoverMonitor.Metrics;

/// <summary>
/// Publishes the meter named <c>meterName</c> while the daemon runs, through one OpenTelemetry
/// <see cref="MeterProvider"/>: Prometheus text at <c>http://listen/metrics</c> (the SDK's HttpListener exporter,
/// bound to <c>listen</c> only) and OTLP (http/protobuf) to <c>otlp</c>, each when given. The OTLP reader sends every
/// 60 s by default (<c>OTEL_METRIC_EXPORT_INTERVAL</c>, milliseconds, changes it); stopping sends a last export. An
/// address the listener cannot bind is logged and leaves monitoring (and OTLP) running. Each instrument keeps at most
/// <c>seriesLimit</c> label sets (<see cref="MonitorMetrics.SeriesLimit"/>); OpenTelemetry's default of 2000 would
/// reserve about 3 MiB for series this daemon never has.
/// </summary>
public sealed class MetricsExport(string meterName, IPEndPoint? listen, Uri? otlp, int seriesLimit, ILogger<MetricsExport> logger) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    /// <summary>Where Prometheus text is served while started (e.g. <c>http://127.0.0.1:9464/metrics</c>); null when not serving.</summary>
    public Uri? ScrapeUri { get; private set; }

    /// <summary>
    /// Where metrics are posted: <paramref name="endpoint"/> itself when it names a path, else its
    /// <c>/v1/metrics</c> (the OTLP/HTTP default path, so <c>http://127.0.0.1:4318</c> works as given).
    /// </summary>
    public static Uri MetricsUri(Uri endpoint) => endpoint.AbsolutePath is "/" or "" ? new Uri(endpoint, "/v1/metrics") : endpoint;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (listen is not null)
        {
            try
            {
                _provider = Build(listen);
                ScrapeUri = new UriBuilder(Uri.UriSchemeHttp, listen.Address.ToString(), listen.Port, "/metrics").Uri;
                Log.MetricsListening(logger, listen.ToString());
            }
            catch (InvalidOperationException e) when (e.InnerException is HttpListenerException or System.Net.Sockets.SocketException)
            {
                Log.MetricsListenFailed(logger, listen.ToString(), e.InnerException.Message);
            }
        }

        if (otlp is not null)
        {
            _provider ??= Build(listen: null);
            var target = MetricsUri(otlp);
            // Userinfo and query may hold credentials: name scheme, host and path only.
            Log.OtlpExporting(logger, $"{target.Scheme}://{target.Authority}{target.AbsolutePath}");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Flushes a last OTLP export, closes the listener and stops exporting.</summary>
    public void Dispose()
    {
        _provider?.Dispose();
        _provider = null;
        ScrapeUri = null;
    }

    /// <summary>The provider with the Prometheus reader first (when <paramref name="listen"/> is given: a bind failure throws before any other reader exists) and OTLP.</summary>
    private MeterProvider Build(IPEndPoint? listen)
    {
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("failover-monitor", serviceVersion: VersionInfo.Current))
            .AddMeter(meterName)
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = seriesLimit });
        if (listen is not null)
        {
            builder.AddPrometheusHttpListener(prometheus =>
            {
                prometheus.Host = listen.Address.ToString();
                prometheus.Port = listen.Port;
                // Exactly the families the README lists: no otel_scope_* labels, no target_info, and every scrape reads afresh.
                prometheus.ScopeInfoEnabled = false;
                prometheus.TargetInfoEnabled = false;
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            });
        }

        if (otlp is not null)
        {
            builder.AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = MetricsUri(otlp);
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            });
        }

        return builder.Build();
    }
}
