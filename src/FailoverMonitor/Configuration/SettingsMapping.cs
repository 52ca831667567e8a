using System.Net;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Turns the file's shape, once it passed every rule, into the settings records: words become enums, addresses and
/// URLs are parsed, seconds become <see cref="TimeSpan"/>s. Nothing here can fail on a validated file.
/// </summary>
internal static class SettingsMapping
{
    /// <summary>The settings of validated <paramref name="file"/>.</summary>
    public static MonitorSettings ToSettings(TunnelsFile file) => new()
    {
        Gateway = new GatewaySettings { Address = IPAddress.Parse(file.GatewayIp!), Timeout = TimeSpan.FromSeconds(file.GatewayTimeout) },
        Checks = new CheckSettings
        {
            CheckInterval = TimeSpan.FromSeconds(file.CheckInterval),
            FailureThreshold = file.FailureThreshold,
            RecoveryThreshold = file.RecoveryThreshold,
            FailoverOn = file.FailoverOn.Select(s => TunnelStatuses.Failable.Parse(s)!.Value).ToHashSet(),
            Failback = FailbackModes.Words.Parse(file.Failback)!.Value,
            ConfirmDelay = TimeSpan.FromSeconds(file.ConfirmDelay),
            HeartbeatInterval = TimeSpan.FromSeconds(file.HeartbeatInterval),
            MinActionInterval = TimeSpan.FromSeconds(file.MinActionInterval),
            MaxActionsPerHour = file.MaxActionsPerHour,
            BackupConnectTimeout = TimeSpan.FromSeconds(file.BackupConnectTimeout),
        },
        Api = new ApiSettings { BaseUrl = new Uri(file.ApiBaseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(file.ApiTimeout) },
        Output = new OutputSettings
        {
            LogFile = file.LogFile,
            LogMaxSizeMegabytes = file.LogMaxSizeMb,
            LogRetainedFiles = file.LogRetainedFiles,
            StateFile = file.StateFile,
        },
        Telemetry = new TelemetrySettings
        {
            MetricsListen = ListenAddress.TryParse(file.MetricsListen, out var listen) ? listen : null,
            OtlpEndpoint = file.OtlpEndpoint is null ? null : new Uri(file.OtlpEndpoint, UriKind.Absolute),
        },
        Tunnels = [.. file.Tunnels.Select(ToSettings)],
        Alerts = [.. file.Alerts.Select(a => new AlertSettings
        {
            Url = new Uri(a.Url!, UriKind.Absolute),
            Format = AlertFormats.Words.Parse(a.Format)!.Value,
            Events = a.Events.Select(e => AlertEvents.Words.Parse(e)!.Value).ToHashSet(),
        })],
    };

    private static TunnelSettings ToSettings(TunnelEntry tunnel) => new()
    {
        Name = tunnel.DisplayName,
        AccountId = tunnel.AccountId!,
        TunnelId = tunnel.TunnelId!,
        Service = tunnel.Service!,
        BackupMetrics = tunnel.BackupMetrics,
        TokenSource = tunnel.TokenSource,
    };
}
