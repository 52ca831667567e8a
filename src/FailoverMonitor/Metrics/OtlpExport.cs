using FailoverMonitor.Logging;
using FailoverMonitor.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FailoverMonitor.Metrics;

/// <summary>
/// Exports the <see cref="MonitorMetrics.MeterName"/> meter over OTLP (http/protobuf) to <c>otlp_endpoint</c>
/// while the daemon runs, for fleets that run an OpenTelemetry collector. The SDK's periodic reader sends every
/// 60 s by default (<c>OTEL_METRIC_EXPORT_INTERVAL</c>, milliseconds, changes it); stopping sends a last export.
/// </summary>
public sealed class OtlpExport(Uri endpoint, ILogger<OtlpExport> logger) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    /// <summary>
    /// Where metrics are posted: <paramref name="endpoint"/> itself when it names a path, else its
    /// <c>/v1/metrics</c> (the OTLP/HTTP default path, so <c>http://127.0.0.1:4318</c> works as given).
    /// </summary>
    public static Uri MetricsUri(Uri endpoint) => endpoint.AbsolutePath is "/" or "" ? new Uri(endpoint, "/v1/metrics") : endpoint;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var target = MetricsUri(endpoint);
        _provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("failover-monitor", serviceVersion: VersionInfo.Current))
            .AddMeter(MonitorMetrics.MeterName)
            .AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = target;
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build();
        // Userinfo and query may hold credentials: name scheme, host and path only.
        Log.OtlpExporting(logger, $"{target.Scheme}://{target.Authority}{target.AbsolutePath}");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Flushes a last export and stops exporting.</summary>
    public void Dispose()
    {
        _provider?.Dispose();
        _provider = null;
    }
}
