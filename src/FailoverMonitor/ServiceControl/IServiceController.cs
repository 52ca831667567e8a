namespace FailoverMonitor.ServiceControl;

/// <summary>Starts, stops and reads the state of the local backup units.</summary>
public interface IServiceController
{
    /// <summary>Whether <paramref name="unit"/> is active (or on its way there: activating, reloading).</summary>
    /// <exception cref="ServiceControlException">The state could not be read (command failed or timed out).</exception>
    Task<bool> IsActiveAsync(string unit, CancellationToken cancellationToken);

    /// <summary>Starts <paramref name="unit"/> and waits for the start job to finish.</summary>
    /// <exception cref="ServiceControlException">The start failed or timed out; carries the command's exit code and stderr.</exception>
    Task StartAsync(string unit, CancellationToken cancellationToken);

    /// <summary>Restarts <paramref name="unit"/> and waits for the job to finish.</summary>
    /// <exception cref="ServiceControlException">The restart failed or timed out.</exception>
    Task RestartAsync(string unit, CancellationToken cancellationToken);

    /// <summary>Whether systemd knows <paramref name="unit"/>: its LoadState (<c>loaded</c>, <c>not-found</c>, <c>masked</c>, …).</summary>
    /// <exception cref="ServiceControlException">The state could not be read.</exception>
    Task<string> GetLoadStateAsync(string unit, CancellationToken cancellationToken);

    /// <summary>
    /// The states of <paramref name="units"/>, read together where the platform allows (one D-Bus call or <c>systemctl show</c>
    /// for all of them), keyed by the names given.
    /// </summary>
    /// <exception cref="ServiceControlException">The states could not be read.</exception>
    async Task<IReadOnlyDictionary<string, UnitState>> GetStatesAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, UnitState>(StringComparer.Ordinal);
        foreach (var unit in units.Distinct(StringComparer.Ordinal))
        {
            var active = await IsActiveAsync(unit, cancellationToken).ConfigureAwait(false);
            states[unit] = new UnitState(active ? "active" : "inactive", await GetLoadStateAsync(unit, cancellationToken).ConfigureAwait(false));
        }

        return states;
    }

    /// <summary>
    /// Stops <paramref name="unit"/>. With systemd the stop job is only queued (a long <c>ExecStop=</c> must not stall
    /// the caller): read the state afterwards, <c>deactivating</c> while it runs; sc.exe waits for STOPPED.
    /// </summary>
    /// <exception cref="ServiceControlException">The stop failed or timed out; carries the command's exit code and stderr.</exception>
    Task StopAsync(string unit, CancellationToken cancellationToken);
}
