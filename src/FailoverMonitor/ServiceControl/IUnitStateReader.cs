using FailoverMonitor.Configuration;

namespace FailoverMonitor.ServiceControl;

/// <summary>Reads the states of systemd units, all of them at once.</summary>
public interface IUnitStateReader
{
    /// <summary>Where the states come from, for log lines: <c>systemctl show</c>, or the D-Bus address.</summary>
    string Source { get; }

    /// <summary>
    /// The states of <paramref name="units"/> (unit names as configured; a name without a type suffix is a
    /// <c>.service</c>, as systemctl reads it), keyed by the names given. A unit systemd does not know is no error:
    /// its <see cref="UnitState.LoadState"/> is <c>not-found</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a valid unit name (<see cref="UnitName"/>).</exception>
    /// <exception cref="ServiceControlException">The states could not be read.</exception>
    Task<IReadOnlyDictionary<string, UnitState>> ReadAsync(IReadOnlyList<string> units, CancellationToken cancellationToken);
}
