namespace FailoverMonitor.Configuration;

/// <summary>
/// A validated <c>tunnels.json</c>, parsed: one immutable record per concern, as <see cref="ConfigurationLoader"/>
/// hands it back in <see cref="LoadedConfiguration"/>. The tokens are not here (see <see cref="TunnelTokens"/>), so
/// printing a settings record can never print one. Defaults are the file's defaults, so tests can build settings
/// with <c>with</c>. Ranges are checked by the loader (the <c>[Range]</c> on each key of the file's shape) and stated there only.
/// </summary>
public sealed record MonitorSettings
{
    /// <summary>Default path of the configuration file: the original script's <c>/opt/failover-monitor/tunnels.json</c>; on Windows under <c>%ProgramData%\FailoverMonitor</c>.</summary>
    public static string DefaultConfigPath => OperatingSystem.IsWindows() ? WindowsPath("tunnels.json") : "/opt/failover-monitor/tunnels.json";

    /// <summary>The gateway pinged before each cycle (<c>gateway_ip</c>, <c>gateway_timeout</c>). Read at start.</summary>
    public GatewaySettings Gateway { get; init; } = new();

    /// <summary>The checks and the decision rules (<c>check_interval</c>, thresholds, <c>failover_on</c>, <c>failback</c>, flap guard, …). A reload applies them.</summary>
    public CheckSettings Checks { get; init; } = new();

    /// <summary>The Cloudflare API (<c>api_base_url</c>, <c>api_timeout</c>). Read at start.</summary>
    public ApiSettings Api { get; init; } = new();

    /// <summary>The log file and the state file (<c>log_file</c>, <c>log_max_size_mb</c>, <c>log_retained_files</c>, <c>state_file</c>). Read at start.</summary>
    public OutputSettings Output { get; init; } = new();

    /// <summary><c>/metrics</c> and OTLP (<c>metrics_listen</c>, <c>otlp_endpoint</c>). Read at start.</summary>
    public TelemetrySettings Telemetry { get; init; } = new();

    /// <summary>The tunnels to watch, in file order (<c>tunnels</c>); a reload applies them.</summary>
    public IReadOnlyList<TunnelSettings> Tunnels { get; init; } = [];

    /// <summary>The webhooks (<c>alerts</c>), in file order; none by default. Read at start.</summary>
    public IReadOnlyList<AlertSettings> Alerts { get; init; } = [];

    /// <summary>A path under <c>%ProgramData%\FailoverMonitor</c>, where the Windows service keeps its files.</summary>
    internal static string WindowsPath(string file) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "FailoverMonitor", file);
}
