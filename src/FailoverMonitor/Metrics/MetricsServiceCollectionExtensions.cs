using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Metrics;

/// <summary>Registers the metrics with the daemon's host.</summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="MonitorMetrics"/> (always: instruments nobody listens to cost next to nothing, and
    /// <c>dotnet-counters</c> can attach), the <c>/metrics</c> endpoint when <c>metrics_listen</c> is set and the
    /// OTLP export when <c>otlp_endpoint</c> is set. <paramref name="options"/> must be validated.
    /// </summary>
    public static IServiceCollection AddMonitorMetrics(this IServiceCollection services, MonitorOptions options)
    {
        services.AddSingleton<MonitorMetrics>();
        services.AddSingleton<IMonitorObserver>(sp => sp.GetRequiredService<MonitorMetrics>());
        if (ListenAddress.TryParse(options.MetricsListen, out var endPoint))
        {
            services.AddSingleton(sp => new MetricsCollector(sp.GetRequiredService<MonitorMetrics>().Meter));
            services.AddHostedService(sp => new MetricsEndpoint(
                sp.GetRequiredService<MetricsCollector>(), endPoint, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MetricsEndpoint>>()));
        }

        if (Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var otlp))
        {
            services.AddHostedService(sp => new OtlpExport(otlp, sp.GetRequiredService<ILogger<OtlpExport>>()));
        }

        return services;
    }
}
