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
    /// <c>dotnet-counters</c> can attach) and, when <c>metrics_listen</c> or <c>otlp_endpoint</c> is set,
    /// <see cref="MetricsExport"/> serving <c>/metrics</c> and/or pushing OTLP, as <paramref name="settings"/> say.
    /// Needs <see cref="LoadedConfiguration"/> registered.
    /// </summary>
    public static IServiceCollection AddMonitorMetrics(this IServiceCollection services, MonitorSettings settings)
    {
        services.AddSingleton<MonitorMetrics>();
        services.AddSingleton<IMonitorObserver>(sp => sp.GetRequiredService<MonitorMetrics>());
        var (listen, otlp) = (settings.Telemetry.MetricsListen, settings.Telemetry.OtlpEndpoint);
        if (listen is not null || otlp is not null)
        {
            services.AddHostedService(sp => new MetricsExport(
                sp.GetRequiredService<MonitorMetrics>().Meter.Name, listen, otlp, MonitorMetrics.SeriesLimit(settings), sp.GetRequiredService<ILogger<MetricsExport>>()));
        }

        return services;
    }
}
