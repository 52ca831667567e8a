using FailoverMonitor.Logging;
using FailoverMonitor.ServiceControl;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Reads the backup units' real states into their tunnels (no decision without it) and logs what changed outside
/// the monitor: a unit started or stopped by someone else, a state that cannot be read, the end of a slow stop.
/// </summary>
public sealed class UnitStateTracker(IServiceController services, TimeProvider time, ILogger<UnitStateTracker> logger)
{
    /// <summary>Reads the units of <paramref name="tunnels"/>; at start-up each state is logged once.</summary>
    internal async Task ReadAsync(IReadOnlyCollection<TunnelRuntime> tunnels, bool atStartup, CancellationToken cancellationToken)
    {
        // One read for every unit (one D-Bus call, or one systemctl show): one per unit costs seconds at a thousand tunnels.
        IReadOnlyDictionary<string, UnitState> states;
        try
        {
            states = await services.GetStatesAsync(tunnels.Select(t => t.Service).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceControlException e)
        {
            foreach (var tunnel in tunnels)
            {
                if (tunnel.LastUnitError != e.Message)
                {
                    Log.UnitStateUnreadable(logger, tunnel.Name, tunnel.Service, e.Message);
                }

                tunnel.UnitKnown = false;
                tunnel.LastUnitError = e.Message;
            }

            return;
        }

        foreach (var tunnel in tunnels)
        {
            Adopt(tunnel, states[tunnel.Service], atStartup);
        }
    }

    private void Adopt(TunnelRuntime tunnel, UnitState state, bool atStartup)
    {
        var active = state.IsActive;
        if (atStartup)
        {
            Log.UnitStateAtStartup(logger, tunnel.Name, tunnel.Service, active ? "active (failed over)" : "inactive");
        }
        else if (tunnel.UnitKnown && active != tunnel.State.BackupActive)
        {
            Log.UnitStateChanged(logger, tunnel.Name, tunnel.Service, TunnelState.UnitWord(active), TunnelState.UnitWord(tunnel.State.BackupActive));
        }

        // A stop that was still running when asked for: its end is the failback's "restored" line.
        if (tunnel.StopPending && !state.IsStopping)
        {
            tunnel.StopPending = false;
            if (!active)
            {
                Log.FailedBack(logger, tunnel.Name, tunnel.Service);
            }
        }

        tunnel.State = tunnel.State.WithUnitState(active, Instant.Now(time));
        tunnel.UnitKnown = true;
        tunnel.LastUnitError = null;
    }
}
