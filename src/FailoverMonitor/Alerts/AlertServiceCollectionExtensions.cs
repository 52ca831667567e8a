using FailoverMonitor.Configuration;
using FailoverMonitor.Http;
using FailoverMonitor.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Alerts;

/// <summary>Registers alerts with the host.</summary>
public static class AlertServiceCollectionExtensions
{
    /// <summary>
    /// When <paramref name="settings"/> has <c>alerts</c>: the queue, the <see cref="AlertObserver"/> (an
    /// <see cref="IMonitorObserver"/>, cutting the tokens in force of the <see cref="TunnelSet"/> out of reasons), the hosted
    /// <see cref="AlertSender"/> and its HTTP client. Nothing otherwise. Needs <see cref="MonitorSettings"/>,
    /// <see cref="TunnelSet"/>, <see cref="RunMode"/> and <see cref="TimeProvider"/> registered.
    /// </summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, MonitorSettings settings)
    {
        if (settings.Alerts.Count == 0)
        {
            return services;
        }

        services.AddSingleton(sp => new AlertQueue(sp.GetRequiredService<ILogger<AlertQueue>>()));
        services.AddSingleton<IMonitorObserver>(sp => new AlertObserver(
            sp.GetRequiredService<AlertQueue>(), settings, () => sp.GetRequiredService<TunnelSet>().Tokens, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AlertObserver>>(), sp.GetRequiredService<RunMode>()));
        // No timeout on the client: the pipeline times each attempt. A plain client logs nothing, so no log line can
        // hold a webhook URL and its secret (see LongLivedHttpClient).
        services.AddSingleton(sp => new AlertSender(
            sp.GetRequiredService<AlertQueue>(), settings,
            LongLivedHttpClient.Create(Timeout.InfiniteTimeSpan),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlertSender>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AlertSender>());
        return services;
    }
}
