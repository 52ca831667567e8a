namespace FailoverMonitor.Monitoring;

/// <summary>
/// What the policy remembers about one tunnel between cycles. <see cref="BackupActive"/> is always the unit's
/// real state as last read from the service controller, never an assumption.
/// </summary>
/// <param name="BackupActive">Whether the backup unit is active.</param>
/// <param name="ConsecutiveFailures">Consecutive observations with a status in <c>failover_on</c> while the backup was inactive.</param>
/// <param name="ConsecutiveRecoveries">Consecutive "primary is back" observations while the backup was active.</param>
/// <param name="FailedAttempts">Consecutive start or stop attempts that did not take.</param>
/// <param name="RetryAt">No new attempt before this instant (back-off after a failed attempt).</param>
/// <param name="LastAction">The last action taken and why, for heartbeats.</param>
/// <param name="LastActionAt">When it was taken.</param>
public sealed record TunnelState(
    bool BackupActive,
    int ConsecutiveFailures = 0,
    int ConsecutiveRecoveries = 0,
    int FailedAttempts = 0,
    DateTimeOffset? RetryAt = null,
    string? LastAction = null,
    DateTimeOffset? LastActionAt = null);
