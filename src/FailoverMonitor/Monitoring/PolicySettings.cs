using FailoverMonitor.Configuration;

namespace FailoverMonitor.Monitoring;

/// <summary>The decision rules' parameters, taken from <see cref="MonitorOptions"/>.</summary>
/// <param name="FailureThreshold">Failed checks before a failover.</param>
/// <param name="RecoveryThreshold">"Primary back" checks before a failback.</param>
/// <param name="FailoverOn">Statuses that count as failed.</param>
/// <param name="Failback">The failback rule.</param>
/// <param name="RetryBase">First back-off after an attempt that did not take; doubles up to <see cref="MaxRetry"/>.</param>
/// <param name="MinActionInterval">No stop or restart opposite to the last action within this time of it (a stop soon after a start). Never holds back a start.</param>
/// <param name="MaxActionsPerHour">A stop or restart beyond this many actions (starts counted) within an hour puts the tunnel on hold instead. Never holds back a start.</param>
/// <param name="BackupConnectTimeout">How long an active backup may leave the tunnel down before it is restarted.</param>
/// <param name="CheckInterval">Time between regular checks; with it, a tunnel down for FailureThreshold × CheckInterval by the API's clock needs no more checks. Zero turns that off.</param>
public sealed record PolicySettings(
    int FailureThreshold,
    int RecoveryThreshold,
    IReadOnlySet<TunnelStatus> FailoverOn,
    FailbackMode Failback,
    TimeSpan RetryBase,
    TimeSpan MinActionInterval = default,
    int MaxActionsPerHour = MonitorOptions.DefaultMaxActionsPerHour,
    TimeSpan? BackupConnectTimeout = null,
    TimeSpan CheckInterval = default)
{
    /// <summary>The window of <see cref="MaxActionsPerHour"/>, and how long a hold lasts without a reload.</summary>
    public static readonly TimeSpan HoldWindow = TimeSpan.FromHours(1);

    /// <summary>Longest back-off between attempts: 5 minutes.</summary>
    public static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(5);

    /// <summary>Settings for validated <paramref name="options"/>; the back-off starts at max(check_interval, 5 s).</summary>
    public static PolicySettings From(MonitorOptions options) => new(
        options.FailureThreshold,
        options.RecoveryThreshold,
        options.FailoverOn.Select(s => TunnelStatuses.Parse(s)!.Value).ToHashSet(),
        FailbackModes.Words.Parse(options.Failback)!.Value,
        TimeSpan.FromSeconds(Math.Max(options.CheckInterval, 5)),
        TimeSpan.FromSeconds(options.MinActionInterval),
        options.MaxActionsPerHour,
        TimeSpan.FromSeconds(options.BackupConnectTimeout),
        TimeSpan.FromSeconds(options.CheckInterval));
}
