using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using FailoverMonitor.ServiceControl;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Carries out a <see cref="Decision"/> for one tunnel: starts, stops or restarts its backup unit and verifies the
/// result by reading the unit's state back (the exit code alone is not trusted), or logs why nothing is done. The
/// tunnel's state afterwards is the policy's (<see cref="FailoverPolicy.AfterAction"/>); actions and holds go to
/// the observers.
/// </summary>
public sealed class ActionExecutor(IServiceController services, IEnumerable<IMonitorObserver> observers, TimeProvider time, ILogger<ActionExecutor> logger)
{
    /// <summary>Adopts <paramref name="decision"/> (made from <paramref name="observation"/>) for <paramref name="tunnel"/> and carries it out.</summary>
    internal async Task ExecuteAsync(TunnelRuntime tunnel, Decision decision, TunnelObservation observation, FailoverPolicy policy, CancellationToken cancellationToken)
    {
        var before = tunnel.State;
        tunnel.State = decision.State;
        if (before.HeldSince is not null && decision.State.HeldSince is null)
        {
            Log.HoldReleased(logger, tunnel.Name);
        }

        switch (decision.Kind)
        {
            case DecisionKind.StartBackup:
                Log.FailoverStarting(logger, tunnel.Name, tunnel.Service, decision.Reason);
                await ActAsync(tunnel, decision, policy, services.StartAsync, cancellationToken).ConfigureAwait(false);
                break;
            case DecisionKind.StopBackup:
                Log.FailbackStopping(logger, tunnel.Name, tunnel.Service, decision.Reason);
                await ActAsync(tunnel, decision, policy, services.StopAsync, cancellationToken).ConfigureAwait(false);
                break;
            case DecisionKind.RestartBackup:
                Log.RestartingBackup(logger, tunnel.Name, tunnel.Service, decision.Reason);
                await ActAsync(tunnel, decision, policy, services.RestartAsync, cancellationToken).ConfigureAwait(false);
                break;
            case DecisionKind.Hold:
                Log.Hold(logger, tunnel.Name, decision.Reason, tunnel.Service, TunnelState.UnitWord(decision.State.BackupActive),
                    FailoverPolicy.DescribeHold((decision.State.HeldSince!.Value + FailoverPolicy.HoldWindow).Wall));
                foreach (var observer in observers)
                {
                    observer.OnHold(tunnel.Settings, decision.Reason);
                }

                break;
            default:
                // INFO while a count climbs to its threshold; past it (flap guard, back-off, hold) only the first
                // line is INFO, so a wait does not print a line every cycle.
                if (policy.IsCounting(before, decision.State))
                {
                    Log.CountingTowardAction(logger, tunnel.Name, decision.Reason);
                }
                else
                {
                    Log.TunnelChecked(logger, tunnel.Name, observation.Status?.ToApiString() ?? "unknown", decision.Reason);
                }

                break;
        }
    }

    private async Task ActAsync(TunnelRuntime tunnel, Decision decision, FailoverPolicy policy, Func<string, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            await action(tunnel.Service, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceControlException e)
        {
            error = e.Message;
            if (e.StandardError.Contains("not found", StringComparison.OrdinalIgnoreCase))
            {
                Log.UnitMissing(logger, tunnel.Name, tunnel.Service, "not-found");
            }
        }

        // Verify rather than trust the exit code: only the unit's state read back counts. A stop is only asked for
        // (a long ExecStop= must not stall the loop): a unit still deactivating counts as stopped, and each
        // later check reads its real state.
        var starting = decision.Kind != DecisionKind.StopBackup;
        bool activeNow;
        var stillStopping = false;
        try
        {
            var state = (await services.GetStatesAsync([tunnel.Service], cancellationToken).ConfigureAwait(false))[tunnel.Service];
            activeNow = state.IsActive;
            stillStopping = state.IsStopping;
        }
        catch (ServiceControlException e)
        {
            activeNow = !starting;
            error ??= e.Message;
        }

        tunnel.State = policy.AfterAction(decision.State, decision.Kind, activeNow, decision.Reason, Instant.Now(time));
        var took = starting == activeNow;
        foreach (var observer in observers)
        {
            observer.OnAction(tunnel.Settings, decision.Kind, took, error ?? decision.Reason);
        }

        var retrySeconds = tunnel.State.RetryAt is { } retryAt ? Math.Round((retryAt - Instant.Now(time)).TotalSeconds) : 0;
        var why = error ?? $"unit is {TunnelState.UnitWord(activeNow)} afterwards";
        switch (decision.Kind, took)
        {
            case (DecisionKind.StartBackup, true):
                Log.FailedOver(logger, tunnel.Name, tunnel.Service);
                break;
            case (DecisionKind.StartBackup, false):
                Log.StartFailed(logger, tunnel.Name, tunnel.Service, why, retrySeconds);
                break;
            case (DecisionKind.StopBackup, true) when stillStopping:
                tunnel.StopPending = true;
                Log.BackupStillStopping(logger, tunnel.Name, tunnel.Service);
                break;
            case (DecisionKind.StopBackup, true):
                Log.FailedBack(logger, tunnel.Name, tunnel.Service);
                break;
            case (DecisionKind.StopBackup, false):
                Log.StopFailed(logger, tunnel.Name, tunnel.Service, why, retrySeconds);
                break;
            case (_, false):
                Log.RestartFailed(logger, tunnel.Name, tunnel.Service, why, retrySeconds);
                break;
        }
    }
}
