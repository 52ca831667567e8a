using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.ServiceControl;

/// <summary>Registers how systemd unit states are read.</summary>
public static class UnitStateReaderServiceCollectionExtensions
{
    /// <summary>Environment variable that overrides the D-Bus address unit states are read from (a D-Bus address, <c>unix:path=…</c>).</summary>
    public const string AddressVariable = "FAILOVER_MONITOR_DBUS_ADDRESS";

    /// <summary>
    /// <see cref="IUnitStateReader"/>: D-Bus (<see cref="DBusUnitStateReader"/>, at <c>$FAILOVER_MONITOR_DBUS_ADDRESS</c>,
    /// else PID 1's private socket as root, else the system bus) with <c>systemctl show</c>
    /// (<see cref="SystemctlUnitStateReader"/>) as the fallback. Needs <see cref="IProcessRunner"/> and
    /// <see cref="TimeProvider"/> registered.
    /// </summary>
    public static IServiceCollection AddUnitStateReader(this IServiceCollection services)
    {
        var address = Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } configured
            ? configured
            : DBusUnitStateReader.DefaultAddress(Environment.IsPrivilegedProcess);
        services.AddSingleton(sp =>
        {
            // Connecting while the rest of the host is built and started shortens the time to READY=1.
            var reader = new DBusUnitStateReader(address, address == DBusUnitStateReader.PrivateSocketAddress, sp.GetRequiredService<TimeProvider>());
            reader.ConnectEarly();
            return reader;
        });
        services.AddSingleton<SystemctlUnitStateReader>();
        services.AddSingleton<IUnitStateReader>(sp => new UnitStateReaderWithFallback(
            sp.GetRequiredService<DBusUnitStateReader>(),
            sp.GetRequiredService<SystemctlUnitStateReader>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<UnitStateReaderWithFallback>>()));
        return services;
    }
}
