using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.ServiceControl;

/// <summary>Registers how systemd unit states are read.</summary>
public static class UnitStateReaderServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="IUnitStateReader"/>: D-Bus (<see cref="DBusUnitStateReader"/>, PID 1's private socket as root, else
    /// the system bus) with <c>systemctl show</c> (<see cref="SystemctlUnitStateReader"/>) as the fallback. Needs
    /// <see cref="IProcessRunner"/> and <see cref="TimeProvider"/> registered.
    /// </summary>
    public static IServiceCollection AddUnitStateReader(this IServiceCollection services)
    {
        services.AddSingleton(sp => new DBusUnitStateReader(DBusUnitStateReader.DefaultAddress(Environment.IsPrivilegedProcess), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SystemctlUnitStateReader>();
        services.AddSingleton<IUnitStateReader>(sp => new UnitStateReaderWithFallback(
            sp.GetRequiredService<DBusUnitStateReader>(),
            sp.GetRequiredService<SystemctlUnitStateReader>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<UnitStateReaderWithFallback>>()));
        return services;
    }
}
