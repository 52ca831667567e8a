using System.Net;

namespace FailoverMonitor.Configuration;

/// <summary>Where the metrics go; both off by default.</summary>
public sealed record TelemetrySettings
{
    /// <summary>Where <c>GET /metrics</c> serves Prometheus text (<c>metrics_listen</c>, e.g. <c>127.0.0.1:9464</c>); null is off.</summary>
    public IPEndPoint? MetricsListen { get; init; }

    /// <summary>The OTLP/HTTP endpoint of an OpenTelemetry collector (<c>otlp_endpoint</c>, e.g. <c>http://127.0.0.1:4318</c>); null is off.</summary>
    public Uri? OtlpEndpoint { get; init; }
}
