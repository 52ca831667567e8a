using FailoverMonitor.Cloudflare;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// The decision rules of DESIGN.md as a pure function: given a tunnel's state, this cycle's observation and the
/// time, what to do and why. No I/O, no clock; the worker carries decisions out and reports back through
/// <see cref="AfterAction"/>.
/// </summary>
public sealed class FailoverPolicy(PolicySettings settings)
{
    /// <summary>The rules' parameters.</summary>
    public PolicySettings Settings { get; } = settings;

    /// <summary>Counts <paramref name="observation"/> into <paramref name="state"/> and decides.</summary>
    public Decision Decide(TunnelState state, TunnelObservation observation, DateTimeOffset now)
    {
        if (observation.Status is not { } status)
        {
            return new Decision(DecisionKind.None, $"status unknown ({observation.Failure?.Message ?? "no answer"}): no action", state);
        }

        return state.BackupActive
            ? DecideWhileFailedOver(state, observation, status, now)
            : DecideWhileStandby(state, status, now);
    }

    /// <summary>
    /// The state after an attempted action, given the unit's state read back right after it. An attempt that did
    /// not take sets a doubling back-off from <see cref="PolicySettings.RetryBase"/> up to <see cref="PolicySettings.MaxRetry"/>.
    /// </summary>
    public TunnelState AfterAction(TunnelState state, DecisionKind kind, bool backupActiveNow, string reason, DateTimeOffset now)
    {
        var took = kind == DecisionKind.StartBackup ? backupActiveNow : !backupActiveNow;
        if (took)
        {
            return new TunnelState(backupActiveNow, LastAction: reason, LastActionAt: now);
        }

        var attempts = state.FailedAttempts + 1;
        return state with { BackupActive = backupActiveNow, FailedAttempts = attempts, RetryAt = now + Backoff(attempts) };
    }

    /// <summary>Back-off after <paramref name="failedAttempts"/> consecutive attempts that did not take.</summary>
    public TimeSpan Backoff(int failedAttempts)
    {
        var factor = Math.Pow(2, Math.Clamp(failedAttempts - 1, 0, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(Settings.RetryBase.Ticks * factor, PolicySettings.MaxRetry.Ticks));
        return delay;
    }

    private Decision DecideWhileStandby(TunnelState state, TunnelStatus status, DateTimeOffset now)
    {
        var word = status.ToApiString();
        if (!Settings.FailoverOn.Contains(status))
        {
            return new Decision(DecisionKind.None, $"status {word}", state with { ConsecutiveFailures = 0, ConsecutiveRecoveries = 0 });
        }

        var failures = state.ConsecutiveFailures + 1;
        var counted = state with { ConsecutiveFailures = failures, ConsecutiveRecoveries = 0 };
        if (failures < Settings.FailureThreshold)
        {
            return new Decision(DecisionKind.None, $"status {word} for {failures} of {Settings.FailureThreshold} consecutive checks", counted);
        }

        if (state.RetryAt is { } retryAt && now < retryAt)
        {
            return new Decision(DecisionKind.None, $"status {word}, previous start did not take; next attempt at {retryAt:HH:mm:ss}", counted);
        }

        return new Decision(DecisionKind.StartBackup, $"status {word} for {failures} consecutive checks, threshold {Settings.FailureThreshold}", counted);
    }

    private Decision DecideWhileFailedOver(TunnelState state, TunnelObservation observation, TunnelStatus status, DateTimeOffset now)
    {
        var current = state with { ConsecutiveFailures = 0 };
        string? evidence;
        switch (Settings.Failback)
        {
            case FailbackMode.Never:
                return new Decision(DecisionKind.None, "backup active; failback is never", current);
            case FailbackMode.Healthy:
                evidence = status == TunnelStatus.Healthy ? "status healthy" : null;
                break;
            default:
                if (observation.Connectors is null)
                {
                    // Not knowing the connectors is not evidence either way: keep the count where it is.
                    return new Decision(DecisionKind.None, $"backup active; connectors unknown ({observation.ConnectorsFailure?.Message ?? "not fetched"})", current);
                }

                evidence = PrimaryEvidence(observation);
                break;
        }

        if (evidence is null)
        {
            return new Decision(DecisionKind.None, $"backup active; status {status.ToApiString()}, primary not back", current with { ConsecutiveRecoveries = 0 });
        }

        var recoveries = state.ConsecutiveRecoveries + 1;
        var counted = current with { ConsecutiveRecoveries = recoveries };
        if (recoveries < Settings.RecoveryThreshold)
        {
            return new Decision(DecisionKind.None, $"{evidence} for {recoveries} of {Settings.RecoveryThreshold} consecutive checks", counted);
        }

        if (state.RetryAt is { } retryAt && now < retryAt)
        {
            return new Decision(DecisionKind.None, $"{evidence}, previous stop did not take; next attempt at {retryAt:HH:mm:ss}", counted);
        }

        return new Decision(DecisionKind.StopBackup, $"{evidence} for {recoveries} consecutive checks, threshold {Settings.RecoveryThreshold}", counted);
    }

    /// <summary>Why the primary counts as back, or null: ghosts (pending reconnect) never count.</summary>
    private static string? PrimaryEvidence(TunnelObservation observation)
    {
        var live = observation.Connectors!.Where(c => c.IsLive).Select(c => c.Id).Distinct(StringComparer.Ordinal).ToList();
        if (observation.LocalConnectorId is { } local)
        {
            var primary = live.FirstOrDefault(id => !string.Equals(id, local, StringComparison.Ordinal));
            return primary is null ? null : $"connector {primary} live besides the local backup {local}";
        }

        return live.Count >= 2 ? $"{live.Count} distinct live connectors" : null;
    }
}
