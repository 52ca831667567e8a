using System.ComponentModel.DataAnnotations;

namespace FailoverMonitor.Configuration;

/// <summary>
/// The shape of <c>tunnels.json</c>, as System.Text.Json binds it and the validators check it: keys are snake_case,
/// the original Python script's keys (<c>gateway_ip</c>, <c>check_interval</c>, <c>tunnels</c>) load unchanged, every
/// other key is optional. Only <see cref="ConfigurationLoader"/> sees it; once valid, it becomes the
/// <see cref="MonitorSettings"/> records (<see cref="SettingsMapping"/>). Each range is stated here once, by the
/// attribute on the key; the defaults are the records'.
/// </summary>
internal sealed class TunnelsFile
{
    /// <summary>IPv4 or IPv6 address pinged before each cycle; no answer means no API call and no action. Required.</summary>
    [Required(ErrorMessage = "{0}: missing (the IP address of the local gateway to ping)")]
    public string? GatewayIp { get; set; }

    /// <summary>Seconds between cycles (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.</summary>
    [Range(1.0, 3600.0)]
    public double CheckInterval { get; set; } = CheckSettings.DefaultCheckInterval.TotalSeconds;

    /// <summary>Consecutive failed statuses (checks) before a failover (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.</summary>
    [Range(1, 100)]
    public int FailureThreshold { get; set; } = CheckSettings.DefaultFailureThreshold;

    /// <summary>Consecutive "primary is back" checks before a failback (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.</summary>
    [Range(1, 100)]
    public int RecoveryThreshold { get; set; } = CheckSettings.DefaultRecoveryThreshold;

    /// <summary>
    /// Cloudflare statuses that count as failed: any of <c>down</c>, <c>inactive</c>, <c>degraded</c>;
    /// default <c>down</c> and <c>inactive</c> (a degraded tunnel still serves traffic).
    /// </summary>
    public List<string> FailoverOn { get; set; } = [.. CheckSettings.DefaultFailoverOn.Select(s => s.ToApiString())];

    /// <summary>
    /// When the backup is stopped again: <c>second_connector</c> (default: a live connector other than the local
    /// backup is present), <c>healthy</c> (status healthy, for backups that are not connectors of the same tunnel)
    /// or <c>never</c> (the original's behaviour).
    /// </summary>
    public string Failback { get; set; } = FailbackModes.Words.Word(CheckSettings.DefaultFailback);

    /// <summary>Per-attempt timeout of an API request, seconds (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.</summary>
    [Range(0.5, 60.0)]
    public double ApiTimeout { get; set; } = ApiSettings.DefaultTimeout.TotalSeconds;

    /// <summary>Cloudflare API base URL; https, or http only to a loopback address (tests).</summary>
    public string ApiBaseUrl { get; set; } = ApiSettings.DefaultBaseUrl.OriginalString;

    /// <summary>ICMP echo timeout for the gateway probe, seconds (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.</summary>
    [Range(0.1, 10.0)]
    public double GatewayTimeout { get; set; } = GatewaySettings.DefaultTimeout.TotalSeconds;

    /// <summary>Seconds between INFO heartbeat lines summarising every tunnel (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.</summary>
    [Range(10.0, 86400.0)]
    public double HeartbeatInterval { get; set; } = CheckSettings.DefaultHeartbeatInterval.TotalSeconds;

    /// <summary>
    /// Flap guard: seconds during which no stop (or restart) opposite to the last action follows it on the same unit
    /// (no stop right after a start); never delays a start (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.
    /// </summary>
    [Range(0.0, 3600.0)]
    public double MinActionInterval { get; set; } = CheckSettings.DefaultMinActionInterval.TotalSeconds;

    /// <summary>
    /// Flap guard: a stop or restart beyond this many actions (starts counted) on one unit within an hour puts the
    /// tunnel on hold (no stop or restart, CRITICAL line; starts still go ahead) until a reload or until the hour
    /// has passed (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.
    /// </summary>
    [Range(1, 1000)]
    public int MaxActionsPerHour { get; set; } = CheckSettings.DefaultMaxActionsPerHour;

    /// <summary>
    /// Seconds a started backup may stay active while the tunnel is still down before it counts as not connected
    /// and is restarted (with back-off) (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's.
    /// </summary>
    [Range(5.0, 3600.0)]
    public double BackupConnectTimeout { get; set; } = CheckSettings.DefaultBackupConnectTimeout.TotalSeconds;

    /// <summary>
    /// Seconds after which a tunnel that has just started to look failed (or recovered) is checked again, instead
    /// of a whole interval later; 0 is off (bounds: the <see cref="RangeAttribute"/> on it); default: the settings record's. Counts against the API
    /// budget like any check.
    /// </summary>
    [Range(0.0, 60.0)]
    public double ConfirmDelay { get; set; } = CheckSettings.DefaultConfirmDelay.TotalSeconds;

    /// <summary>Path of the plain-text log file, default <see cref="OutputSettings.DefaultLogFile"/>.</summary>
    public string LogFile { get; set; } = OutputSettings.DefaultLogFile;

    /// <summary>
    /// The log file rotates (<c>.1</c> … <c>.N</c>, as logrotate names them) at this size, MiB; 0 is never (bounds: the <see cref="RangeAttribute"/> on it);
    /// default <see cref="Logging.FileLog.DefaultMaxSizeMegabytes"/>.
    /// </summary>
    [Range(0, 1024)]
    public int LogMaxSizeMb { get; set; } = Logging.FileLog.DefaultMaxSizeMegabytes;

    /// <summary>Rotated log files kept (bounds: the <see cref="RangeAttribute"/> on it); default <see cref="Logging.FileLog.DefaultRetainedFiles"/>.</summary>
    [Range(0, 100)]
    public int LogRetainedFiles { get; set; } = Logging.FileLog.DefaultRetainedFiles;

    /// <summary>Where the daemon keeps what it believes, for <c>failover-monitor status</c>; default <see cref="OutputSettings.DefaultStateFile"/>.</summary>
    public string StateFile { get; set; } = OutputSettings.DefaultStateFile;

    /// <summary>
    /// Optional <c>address:port</c> where <c>GET /metrics</c> serves Prometheus text, e.g. <c>127.0.0.1:9464</c>
    /// (IPv6 as <c>[::1]:9464</c>); default none (off). Any address is accepted, but /metrics has no authentication:
    /// a loopback address is recommended, and any other draws a warning at start. Read at start.
    /// </summary>
    public string? MetricsListen { get; set; }

    /// <summary>
    /// Optional OTLP/HTTP endpoint of an OpenTelemetry collector, e.g. <c>http://127.0.0.1:4318</c> (metrics go to
    /// its <c>/v1/metrics</c> unless the URL names a path); default none (off). Read at start.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    // SYSLIB1213 asks for [ValidateEnumeratedItems]: left out on purpose, TunnelsFileValidator checks each entry
    // itself, so that an entry's problems come together and in the order of its keys.
#pragma warning disable SYSLIB1213

    /// <summary>The tunnels to watch; at least one.</summary>
    public List<TunnelEntry> Tunnels { get; set; } = [];

    /// <summary>Webhooks told of failovers, failbacks, restarts, holds and configuration problems; optional, default none. Read at start (a reload does not change them).</summary>
    public List<AlertEntry> Alerts { get; set; } = [];
#pragma warning restore SYSLIB1213
}
