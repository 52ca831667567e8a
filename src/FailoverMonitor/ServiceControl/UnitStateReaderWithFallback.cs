using FailoverMonitor.Logging;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.ServiceControl;

/// <summary>
/// Reads unit states through <paramref name="bus"/> (D-Bus: no process per check), and through
/// <paramref name="fallback"/> (<c>systemctl show</c>) while the bus cannot answer. A bus that failed is asked again
/// after <see cref="BusRetryInterval"/>, not on every check, so a hanging bus delays one check in a minute at most.
/// Logs once which path is used: INFO when the bus answers (again) or is not there from the start, WARNING when a
/// bus that answered fails.
/// </summary>
public sealed class UnitStateReaderWithFallback(
    IUnitStateReader bus, IUnitStateReader fallback, TimeProvider timeProvider, ILogger<UnitStateReaderWithFallback> logger) : IUnitStateReader
{
    /// <summary>How long after a bus failure the states are read with the fallback before the bus is tried again.</summary>
    public static readonly TimeSpan BusRetryInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private Path _path;
    private DateTimeOffset _retryBusAt = DateTimeOffset.MinValue;

    private enum Path
    {
        None,
        Bus,
        Fallback,
    }

    /// <inheritdoc />
    public string Source => _path == Path.Fallback ? fallback.Source : bus.Source;

    /// <inheritdoc />
    /// <exception cref="ServiceControlException">The fallback could not read the states either (its own error).</exception>
    public async Task<IReadOnlyDictionary<string, UnitState>> ReadAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        if (timeProvider.GetUtcNow() >= _retryBusAt)
        {
            try
            {
                var states = await bus.ReadAsync(units, cancellationToken).ConfigureAwait(false);
                Switch(Path.Bus, null);
                return states;
            }
            catch (ServiceControlException e)
            {
                _retryBusAt = timeProvider.GetUtcNow() + BusRetryInterval;
                Switch(Path.Fallback, e.StandardError);
            }
        }

        return await fallback.ReadAsync(units, cancellationToken).ConfigureAwait(false);
    }

    private void Switch(Path to, string? problem)
    {
        Path from;
        lock (_lock)
        {
            (from, _path) = (_path, to);
        }

        if (from == to)
        {
            return;
        }

        var retrySeconds = (int)BusRetryInterval.TotalSeconds;
        switch ((from, to))
        {
            case (Path.None, Path.Bus):
                Log.UnitStatesThroughBus(logger, bus.Source);
                break;
            case (Path.Fallback, Path.Bus):
                Log.UnitStatesBusBack(logger, bus.Source);
                break;
            case (Path.None, _):
                Log.UnitStatesNoBus(logger, fallback.Source, bus.Source, problem ?? "", retrySeconds);
                break;
            default:
                Log.UnitStatesBusFailed(logger, bus.Source, problem ?? "", fallback.Source, retrySeconds);
                break;
        }
    }
}
