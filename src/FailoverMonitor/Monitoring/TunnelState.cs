namespace FailoverMonitor.Monitoring;

/// <summary>
/// What the policy remembers about one tunnel between cycles. <see cref="BackupActive"/> is always the unit's
/// real state as last read from the service controller, never an assumption. Times are <see cref="Instant"/>s:
/// intervals between them are taken on the monotonic clock.
/// </summary>
/// <param name="BackupActive">Whether the backup unit is active.</param>
/// <param name="ConsecutiveFailures">Consecutive observations with a status in <c>failover_on</c> while the backup was inactive.</param>
/// <param name="ConsecutiveRecoveries">Consecutive "primary is back" observations while the backup was active.</param>
/// <param name="FailedAttempts">Consecutive attempts that did not take (or restarts of a backup that did not connect).</param>
/// <param name="RetryAt">No new attempt before this instant (back-off).</param>
/// <param name="LastAction">The last action taken and why, for heartbeats and status.</param>
/// <param name="LastActionAt">When the last action was taken.</param>
/// <param name="LastActionKind">Which action that was, for the flap guard.</param>
/// <param name="BackupActiveSince">Since when the backup has been seen active; null while inactive.</param>
/// <param name="RecentActions">When actions were attempted within the last hour, for the flap guard.</param>
/// <param name="HeldSince">Since when the tunnel is on hold (too many actions in an hour); null when not held.</param>
public sealed record TunnelState(
    bool BackupActive,
    int ConsecutiveFailures = 0,
    int ConsecutiveRecoveries = 0,
    int FailedAttempts = 0,
    Instant? RetryAt = null,
    string? LastAction = null,
    Instant? LastActionAt = null,
    DecisionKind? LastActionKind = null,
    Instant? BackupActiveSince = null,
    IReadOnlyList<Instant>? RecentActions = null,
    Instant? HeldSince = null)
{
    /// <summary>How logs and summaries name a backup unit's state: <c>active</c> or <c>inactive</c>.</summary>
    public static string UnitWord(bool backupActive) => backupActive ? "active" : "inactive";

    /// <summary>The recent action times, never null.</summary>
    public IReadOnlyList<Instant> Actions => RecentActions ?? [];

    /// <summary>The state after the unit was read as <paramref name="active"/> at <paramref name="now"/>: counters restart when it changed.</summary>
    public TunnelState WithUnitState(bool active, Instant now) =>
        active == BackupActive
            ? this
            : this with { BackupActive = active, BackupActiveSince = active ? now : null, ConsecutiveFailures = 0, ConsecutiveRecoveries = 0 };
}
