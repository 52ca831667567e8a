using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace FailoverMonitor.Systemd;

/// <summary>The daemon's systemd integration: Microsoft.Extensions.Hosting.Systemd with a notifier that never blocks.</summary>
public static class SystemdServiceCollectionExtensions
{
    /// <summary>
    /// <c>AddSystemd()</c>: when systemd started the process, the <c>Type=notify</c> lifetime, which sends
    /// <c>READY=1</c> once every hosted service has started and <c>STOPPING=1</c> when the host stops. Its notifier is
    /// replaced by <see cref="NonBlockingSystemdNotifier"/>, which the monitor also uses for <c>WATCHDOG=1</c> and
    /// <c>STATUS=</c>. A <c>$NOTIFY_SOCKET</c> handed over by another parent (the bench) gets the same lifetime.
    /// </summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        services.AddSystemd();
        var notifier = new NonBlockingSystemdNotifier();
        services.RemoveAll<ISystemdNotifier>();
        services.AddSingleton<ISystemdNotifier>(notifier);
        if (notifier.IsEnabled && !SystemdHelpers.IsSystemdService())
        {
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        return services;
    }
}
