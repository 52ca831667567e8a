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

    /// <summary>Default for <see cref="FailoverOn"/>: down and inactive (a degraded tunnel still serves traffic).</summary>
    public static readonly IReadOnlySet<TunnelStatus> DefaultFailoverOn = new HashSet<TunnelStatus> { TunnelStatus.Down, TunnelStatus.Inactive };

    /// <summary>Default for <see cref="Failback"/>: once a live connector other than the backup is present.</summary>
    public const FailbackMode DefaultFailback = FailbackMode.SecondConnector;

    /// <summary>Default for <see cref="ConfirmDelay"/>: 1 second.</summary>
    public static readonly TimeSpan DefaultConfirmDelay = TimeSpan.FromSeconds(1);

    /// <summary>Default for <see cref="HeartbeatInterval"/>: 5 minutes.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(300);

    /// <summary>Default for <see cref="MinActionInterval"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultMinActionInterval = TimeSpan.FromSeconds(30);

    /// <summary>Default for <see cref="BackupConnectTimeout"/>: 60 seconds.</summary>
    public static readonly TimeSpan DefaultBackupConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Shortest back-off after an attempt that did not take: 5 seconds (see <see cref="RetryBase"/>).</summary>
    public static readonly TimeSpan ShortestRetry = TimeSpan.FromSeconds(5);

    /// <summary>Time between regular cycles (<c>check_interval</c>, seconds); default <see cref="DefaultCheckInterval"/>. With it, a tunnel down for <see cref="FailureThreshold"/> × this by the API's clock needs no more checks; zero turns that off (tests).</summary>
    public TimeSpan CheckInterval { get; init; } = DefaultCheckInterval;

    /// <summary>Consecutive failed checks before a failover (<c>failure_threshold</c>); default <see cref="DefaultFailureThreshold"/>.</summary>
    public int FailureThreshold { get; init; } = DefaultFailureThreshold;

    /// <summary>Consecutive "primary is back" checks before a failback (<c>recovery_threshold</c>); default <see cref="DefaultRecoveryThreshold"/>.</summary>
    public int RecoveryThreshold { get; init; } = DefaultRecoveryThreshold;

    /// <summary>Cloudflare statuses that count as failed (<c>failover_on</c>); default <see cref="DefaultFailoverOn"/>.</summary>
    public IReadOnlySet<TunnelStatus> FailoverOn { get; init; } = DefaultFailoverOn;

    /// <summary>When the backup is stopped again (<c>failback</c>); default <see cref="DefaultFailback"/>.</summary>
    public FailbackMode Failback { get; init; } = DefaultFailback;

    /// <summary>How soon a tunnel whose count has started is checked again (<c>confirm_delay</c>, seconds; zero is off); default <see cref="DefaultConfirmDelay"/>. Counts against the API budget like any check.</summary>
    public TimeSpan ConfirmDelay { get; init; } = DefaultConfirmDelay;

    /// <summary>Time between INFO heartbeat lines summarising every tunnel (<c>heartbeat_interval</c>, seconds); default <see cref="DefaultHeartbeatInterval"/>.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = DefaultHeartbeatInterval;

    /// <summary>Flap guard: no stop or restart opposite to the last action within this time of it (<c>min_action_interval</c>, seconds); never holds back a start. Default <see cref="DefaultMinActionInterval"/>.</summary>
    public TimeSpan MinActionInterval { get; init; } = DefaultMinActionInterval;

    /// <summary>Flap guard: a stop or restart beyond this many actions (starts counted) on one unit within an hour puts the tunnel on hold instead (<c>max_actions_per_hour</c>); never holds back a start. Default <see cref="DefaultMaxActionsPerHour"/>.</summary>
    public int MaxActionsPerHour { get; init; } = DefaultMaxActionsPerHour;

    /// <summary>How long an active backup may leave the tunnel down before it is restarted (<c>backup_connect_timeout</c>, seconds); default <see cref="DefaultBackupConnectTimeout"/>. Null never restarts (tests only; the file always gives one).</summary>
    public TimeSpan? BackupConnectTimeout { get; init; } = DefaultBackupConnectTimeout;

    /// <summary>First back-off after an attempt that did not take: the longer of <see cref="CheckInterval"/> and <see cref="ShortestRetry"/>; doubles from there.</summary>
    public TimeSpan RetryBase => CheckInterval > ShortestRetry ? CheckInterval : ShortestRetry;

    /// <summary><see cref="FailoverOn"/> in the file's words, comma-separated (e.g. <c>down,inactive</c>), for log lines and <c>check-config</c>.</summary>
    public string FailoverOnWords() => string.Join(",", FailoverOn.Select(s => s.ToApiString()));
}
