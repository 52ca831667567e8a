using FailoverMonitor.Configuration;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// The decision rules (README, "How it decides") as a pure function: given a tunnel's state, this cycle's observation and the
/// time, what to do and why. No I/O, no clock; the worker carries decisions out and reports back through
/// <see cref="AfterAction"/>. The safe state is "backup running": a start is never held back by a time brake
/// (<c>min_action_interval</c>, the hourly count, a hold), only by <c>failure_threshold</c> and the back-off of a
/// start that did not take; stops and restarts pass the flap guard (<see cref="Guard"/>) first.
/// </summary>
public sealed class FailoverPolicy(CheckSettings settings)
{
    /// <summary>The window of <see cref="CheckSettings.MaxActionsPerHour"/>, and how long a hold lasts without a reload: 1 hour.</summary>
    public static readonly TimeSpan HoldWindow = TimeSpan.FromHours(1);

    /// <summary>Longest back-off between attempts: 5 minutes.</summary>
    public static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(5);

    /// <summary>The rules' parameters.</summary>
    public CheckSettings Settings { get; } = settings;

    /// <summary>
    /// What a hold means, for the CRITICAL line and <c>failover-monitor status</c>: <paramref name="until"/> is the
    /// wall time the hold ends (held since + <see cref="HoldWindow"/>) unless a reload releases it first.
    /// </summary>
    public static string DescribeHold(DateTimeOffset until) =>
        $"holding: no stop or restart until {until:HH:mm:ss} UTC or `systemctl reload failover-monitor`; a down tunnel still gets its backup started";

    /// <summary>
    /// Whether deciding about a tunnel in <paramref name="state"/> needs its connectors (one more API call): only
    /// while its backup is active and the failback waits for a second connector.
    /// </summary>
    public bool NeedsConnectors(TunnelState state) => state.BackupActive && Settings.Failback == FailbackMode.SecondConnector;

    /// <summary>
    /// Whether a tunnel in <paramref name="state"/> awaits a confirmation check (<c>confirm_delay</c>): a count toward
    /// an action has started but not reached its threshold. A held tunnel's failback count awaits none: no stop follows it.
    /// </summary>
    public bool AwaitsConfirmation(TunnelState state) => state.BackupActive
        ? state.HeldSince is null && state.ConsecutiveRecoveries > 0 && state.ConsecutiveRecoveries < Settings.RecoveryThreshold
        : state.ConsecutiveFailures > 0 && state.ConsecutiveFailures < Settings.FailureThreshold;

    /// <summary>
    /// Whether going from <paramref name="before"/> to <paramref name="after"/> a count climbed toward its threshold
    /// (up to it, not past it: past it a brake is what holds the action back).
    /// </summary>
    public bool IsCounting(TunnelState before, TunnelState after) =>
        (after.ConsecutiveFailures > before.ConsecutiveFailures && after.ConsecutiveFailures <= Settings.FailureThreshold)
        || (after.ConsecutiveRecoveries > before.ConsecutiveRecoveries && after.ConsecutiveRecoveries <= Settings.RecoveryThreshold);

    /// <summary>Counts <paramref name="observation"/> into <paramref name="state"/> and decides.</summary>
    public Decision Decide(TunnelState state, TunnelObservation observation, Instant now)
    {
        if (state.HeldSince is { } heldSince && now - heldSince >= HoldWindow)
        {
            // The hour is over whether or not an action is due now: the status must stop saying "on hold".
            state = state with { HeldSince = null };
        }

        if (observation.Status is not { } status)
        {
            return new Decision(DecisionKind.None, $"status unknown ({observation.Failure?.Message ?? "no answer"}): no action", state);
        }

        var decision = state.BackupActive
            ? DecideWhileFailedOver(state, observation, status, now)
            : DecideWhileStandby(state, observation, status, now);
        if (!decision.IsAction)
        {
            return decision;
        }

        decision = decision with { State = decision.State with { RecentActions = decision.State.Actions.Where(t => now - t < HoldWindow).ToList() } };
        if (decision.Kind != DecisionKind.StartBackup)
        {
            return Guard(decision, now);
        }

        // A down tunnel with no backup is dark: no time brake holds its start back, a hold included.
        return decision.State.HeldSince is { } held
            ? decision with { Reason = $"{decision.Reason}; on hold since {held:HH:mm:ss} UTC, but a start is never held back" }
            : decision;
    }

    /// <summary>
    /// The state after an attempted action, given the unit's state read back right after it. A start or stop that
    /// did not take, and every restart, sets a back-off: doubling from <see cref="CheckSettings.RetryBase"/> up to
    /// <see cref="MaxRetry"/> (for a restart at least <see cref="CheckSettings.BackupConnectTimeout"/>).
    /// </summary>
    public TunnelState AfterAction(TunnelState state, DecisionKind kind, bool backupActiveNow, string reason, Instant now)
    {
        var recorded = state with
        {
            BackupActive = backupActiveNow,
            BackupActiveSince = backupActiveNow ? (kind == DecisionKind.StopBackup ? state.BackupActiveSince : now) : null,
            RecentActions = [.. state.Actions, now],
            LastActionKind = kind,
            LastActionAt = now,
            LastAction = reason,
        };
        var took = kind == DecisionKind.StopBackup ? !backupActiveNow : backupActiveNow;
        if (took && kind != DecisionKind.RestartBackup)
        {
            return recorded with { ConsecutiveFailures = 0, ConsecutiveRecoveries = 0, FailedAttempts = 0, RetryAt = null };
        }

        var attempts = state.FailedAttempts + 1;
        var wait = Backoff(attempts);
        if (kind == DecisionKind.RestartBackup && Settings.BackupConnectTimeout is { } connect && connect > wait)
        {
            wait = connect;
        }

        return recorded with { FailedAttempts = attempts, RetryAt = now + wait };
    }

    /// <summary>Back-off after <paramref name="failedAttempts"/> consecutive attempts that did not take.</summary>
    public TimeSpan Backoff(int failedAttempts)
    {
        var factor = Math.Pow(2, Math.Clamp(failedAttempts - 1, 0, 16));
        return TimeSpan.FromTicks((long)Math.Min(Settings.RetryBase.Ticks * factor, MaxRetry.Ticks));
    }

    /// <summary>
    /// The flap guard, for stops and restarts only: a held tunnel stops and restarts nothing (until the hour has
    /// passed; a reload releases it earlier); the stop or restart that would exceed
    /// <see cref="CheckSettings.MaxActionsPerHour"/> turns into a hold; one opposite to the last action within
    /// <see cref="CheckSettings.MinActionInterval"/> waits.
    /// </summary>
    private Decision Guard(Decision decision, Instant now)
    {
        var state = decision.State;
        if (state.HeldSince is { } heldSince)
        {
            return new Decision(DecisionKind.None,
                $"on hold since {heldSince:HH:mm:ss} UTC, no stop or restart until a reload or {heldSince + HoldWindow:HH:mm:ss} UTC ({decision.Reason})", state);
        }

        if (state.Actions.Count >= Settings.MaxActionsPerHour)
        {
            return new Decision(DecisionKind.Hold,
                $"{state.Actions.Count} actions within the last hour reached max_actions_per_hour {Settings.MaxActionsPerHour}; held back: {decision.Reason}",
                state with { HeldSince = now });
        }

        if (state is { LastActionKind: { } last, LastActionAt: { } lastAt }
            && IsStart(last) != IsStart(decision.Kind)
            && now - lastAt < Settings.MinActionInterval)
        {
            return new Decision(DecisionKind.None,
                $"flap guard: {decision.Reason}, but the last opposite action was at {lastAt:HH:mm:ss} UTC, less than min_action_interval {Settings.MinActionInterval.TotalSeconds:0.#} s ago", state);
        }

        return decision;
    }

    private static bool IsStart(DecisionKind kind) => kind is DecisionKind.StartBackup or DecisionKind.RestartBackup;

    private Decision DecideWhileStandby(TunnelState state, TunnelObservation observation, TunnelStatus status, Instant now)
    {
        var word = status.ToApiString();
        if (!Settings.FailoverOn.Contains(status))
        {
            return new Decision(DecisionKind.None, $"status {word}", state with { ConsecutiveFailures = 0, ConsecutiveRecoveries = 0 });
        }

        var failures = state.ConsecutiveFailures + 1;
        var evidence = $"status {word} for {failures} consecutive checks";

        // The API's own clock says how long the tunnel has been down: as long as the checks would have taken
        // stands in for them, so a long outage fails over on the first look while a fresh blip still waits.
        var stretch = Settings.CheckInterval * Settings.FailureThreshold;
        if (failures < Settings.FailureThreshold && stretch > TimeSpan.Zero && observation.InactiveFor is { } inactiveFor && inactiveFor >= stretch)
        {
            failures = Settings.FailureThreshold;
            evidence = $"status {word} for {inactiveFor.TotalSeconds:0} s by Cloudflare's clock (conns_inactive_at), at least {Settings.FailureThreshold} checks' worth";
        }

        var counted = state with { ConsecutiveFailures = failures, ConsecutiveRecoveries = 0 };
        if (failures < Settings.FailureThreshold)
        {
            return new Decision(DecisionKind.None, $"status {word} for {failures} of {Settings.FailureThreshold} consecutive checks", counted);
        }

        // Only a start that did not take backs off the next start; a stop's or a restart's back-off is no reason to stay dark.
        if (state is { LastActionKind: DecisionKind.StartBackup, RetryAt: { } retryAt } && now < retryAt)
        {
            return new Decision(DecisionKind.None, $"status {word}, previous start did not take; next attempt at {retryAt:HH:mm:ss} UTC", counted);
        }

        return new Decision(DecisionKind.StartBackup, $"{evidence}, threshold {Settings.FailureThreshold}", counted);
    }

    private Decision DecideWhileFailedOver(TunnelState state, TunnelObservation observation, TunnelStatus status, Instant now)
    {
        var current = state with { ConsecutiveFailures = 0 };
        if (state.LastActionKind == DecisionKind.RestartBackup && state.RetryAt is not null && !Settings.FailoverOn.Contains(status))
        {
            // The restarted backup (or the primary) has connected: the restart's back-off is spent and must not hold back a failback.
            current = current with { FailedAttempts = 0, RetryAt = null };
        }

        if (Settings.FailoverOn.Contains(status)
            && Settings.BackupConnectTimeout is { } connectTimeout
            && state.BackupActiveSince is { } since
            && now - since >= connectTimeout)
        {
            // A running process is not a connected one: the backup has had its time and the tunnel is still down.
            return state.RetryAt is { } retry && now < retry
                ? new Decision(DecisionKind.None, $"backup active but tunnel still {status.ToApiString()}; next restart at {retry:HH:mm:ss} UTC", current)
                : new Decision(DecisionKind.RestartBackup,
                    $"local service active for {(now - since).TotalSeconds:0} s but the tunnel is still {status.ToApiString()}: the backup has not connected (backup_connect_timeout {connectTimeout.TotalSeconds:0} s)",
                    current with { ConsecutiveRecoveries = 0 });
        }

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

        if (current.RetryAt is { } retryAt && now < retryAt)
        {
            return new Decision(DecisionKind.None, $"{evidence}, previous stop did not take; next attempt at {retryAt:HH:mm:ss} UTC", counted);
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
