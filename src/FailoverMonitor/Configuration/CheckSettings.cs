namespace FailoverMonitor.Configuration;

/// <summary>
/// How often tunnels are checked and the decision rules' parameters: what counts as failed, how many checks before
/// acting, when the backup stops again, and the flap guard. A reload applies all of it.
/// </summary>
public sealed record CheckSettings
{
    /// <summary>Default for <see cref="CheckInterval"/>: 3 seconds (the original script's).</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(3);

    /// <summary>Default for <see cref="FailureThreshold"/>: a one-check blip never fails over.</summary>
    public const int DefaultFailureThreshold = 2;

    /// <summary>Default for <see cref="RecoveryThreshold"/>.</summary>
    public const int DefaultRecoveryThreshold = 3;

    /// <summary>Default for <see cref="MaxActionsPerHour"/>.</summary>
    public const int DefaultMaxActionsPerHour = 10;

    /// <summary>Shortest back-off after an attempt that did not take: 5 seconds (see <see cref="RetryBase"/>).</summary>
    public static readonly TimeSpan ShortestRetry = TimeSpan.FromSeconds(5);

    /// <summary>Time between regular cycles (<c>check_interval</c>, seconds); default <see cref="DefaultCheckInterval"/>. With it, a tunnel down for <see cref="FailureThreshold"/> × this by the API's clock needs no more checks; zero turns that off (tests).</summary>
    public TimeSpan CheckInterval { get; init; } = DefaultCheckInterval;

    /// <summary>Consecutive failed checks before a failover (<c>failure_threshold</c>); default <see cref="DefaultFailureThreshold"/>.</summary>
    public int FailureThreshold { get; init; } = DefaultFailureThreshold;

    /// <summary>Consecutive "primary is back" checks before a failback (<c>recovery_threshold</c>); default <see cref="DefaultRecoveryThreshold"/>.</summary>
    public int RecoveryThreshold { get; init; } = DefaultRecoveryThreshold;

    /// <summary>Cloudflare statuses that count as failed (<c>failover_on</c>); default down and inactive (a degraded tunnel still serves traffic).</summary>
    public IReadOnlySet<TunnelStatus> FailoverOn { get; init; } = new HashSet<TunnelStatus> { TunnelStatus.Down, TunnelStatus.Inactive };

    /// <summary>When the backup is stopped again (<c>failback</c>); default <see cref="FailbackMode.SecondConnector"/>.</summary>
    public FailbackMode Failback { get; init; } = FailbackMode.SecondConnector;

    /// <summary>How soon a tunnel whose count has started is checked again (<c>confirm_delay</c>, seconds; zero is off); default 1 s. Counts against the API budget like any check.</summary>
    public TimeSpan ConfirmDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Time between INFO heartbeat lines summarising every tunnel (<c>heartbeat_interval</c>, seconds); default 300 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Flap guard: no stop or restart opposite to the last action within this time of it (<c>min_action_interval</c>, seconds); never holds back a start. Default 30 s.</summary>
    public TimeSpan MinActionInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Flap guard: a stop or restart beyond this many actions (starts counted) on one unit within an hour puts the tunnel on hold instead (<c>max_actions_per_hour</c>); never holds back a start. Default <see cref="DefaultMaxActionsPerHour"/>.</summary>
    public int MaxActionsPerHour { get; init; } = DefaultMaxActionsPerHour;

    /// <summary>How long an active backup may leave the tunnel down before it is restarted (<c>backup_connect_timeout</c>, seconds); default 60 s. Null never restarts (tests only; the file always gives one).</summary>
    public TimeSpan? BackupConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First back-off after an attempt that did not take: the longer of <see cref="CheckInterval"/> and <see cref="ShortestRetry"/>; doubles from there.</summary>
    public TimeSpan RetryBase => CheckInterval > ShortestRetry ? CheckInterval : ShortestRetry;

    /// <summary><see cref="FailoverOn"/> in the file's words, comma-separated (e.g. <c>down,inactive</c>), for log lines and <c>check-config</c>.</summary>
    public string FailoverOnWords() => string.Join(",", FailoverOn.Select(s => s.ToApiString()));
}
