using System.Net;
using System.Text.RegularExpressions;
using FailoverMonitor.ServiceControl;
using Microsoft.Extensions.Options;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Every rule of <c>tunnels.json</c>, per field and across fields, reported together and named by JSON path
/// (<c>$.tunnels[0].account_id</c>) so a user can find the line to fix. Messages never contain a token.
/// </summary>
public sealed partial class MonitorOptionsValidator : IValidateOptions<MonitorOptions>
{
    private static readonly string[] FailableStatuses = ["down", "inactive", "degraded"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MonitorOptions options)
    {
        var problems = FindProblems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Every problem of <paramref name="options"/>; empty when it is valid.</summary>
    public static IReadOnlyList<string> FindProblems(MonitorOptions options)
    {
        var problems = new List<string>();
        void Check(bool ok, string field, string problem)
        {
            if (!ok)
            {
                problems.Add($"$.{field}: {problem}");
            }
        }

        Check(!string.IsNullOrWhiteSpace(options.GatewayIp), "gateway_ip", "missing (the IP address of the local gateway to ping)");
        Check(options.GatewayIp is null || IsIpAddress(options.GatewayIp), "gateway_ip", $"\"{options.GatewayIp}\" is not an IP address");
        CheckRange(options.CheckInterval, 1, 3600, "check_interval", "seconds", Check);
        CheckRange(options.FailureThreshold, 1, 100, "failure_threshold", "checks", Check);
        CheckRange(options.RecoveryThreshold, 1, 100, "recovery_threshold", "checks", Check);
        CheckRange(options.ApiTimeout, 0.5, 60, "api_timeout", "seconds", Check);
        CheckRange(options.GatewayTimeout, 0.1, 10, "gateway_timeout", "seconds", Check);
        CheckRange(options.HeartbeatInterval, 10, 86400, "heartbeat_interval", "seconds", Check);
        CheckRange(options.MinActionInterval, 0, 3600, "min_action_interval", "seconds", Check);
        CheckRange(options.MaxActionsPerHour, 1, 1000, "max_actions_per_hour", "actions", Check);
        CheckRange(options.BackupConnectTimeout, 5, 3600, "backup_connect_timeout", "seconds", Check);
        CheckRange(options.ConfirmDelay, 0, 60, "confirm_delay", "seconds", Check);
        CheckRange(options.LogMaxSizeMb, 0, 1024, "log_max_size_mb", "MiB", Check);
        CheckRange(options.LogRetainedFiles, 0, 100, "log_retained_files", "files", Check);

        Check(options.FailoverOn is { Count: > 0 }, "failover_on", "must list at least one status");
        foreach (var status in options.FailoverOn ?? [])
        {
            Check(FailableStatuses.Contains(status), "failover_on", $"\"{status}\" is not a status that can count as failed (use {string.Join(", ", FailableStatuses)})");
        }

        Check(FailbackModes.All.Contains(options.Failback), "failback", $"\"{options.Failback}\" is not one of {string.Join(", ", FailbackModes.All)}");
        Check(IsAcceptableBaseUrl(options.ApiBaseUrl), "api_base_url", $"\"{options.ApiBaseUrl}\" must be an absolute https URL (http only to a loopback address)");
        Check(!string.IsNullOrWhiteSpace(options.LogFile) && Path.IsPathFullyQualified(options.LogFile), "log_file", "must be an absolute path");
        Check(!string.IsNullOrWhiteSpace(options.StateFile) && Path.IsPathFullyQualified(options.StateFile), "state_file", "must be an absolute path");
        Check(options.MetricsListen is null || Metrics.MetricsEndpoint.TryParseAddress(options.MetricsListen, out _), "metrics_listen",
            $"\"{options.MetricsListen}\" is not address:port with a port from 1 to 65535 (e.g. 127.0.0.1:9464, [::1]:9464)");
        Check(options.OtlpEndpoint is null || IsHttpUrl(options.OtlpEndpoint), "otlp_endpoint",
            "must be an absolute http or https URL (e.g. http://127.0.0.1:4318)");

        Check(options.Tunnels is { Count: > 0 }, "tunnels", "must list at least one tunnel");
        var tunnels = options.Tunnels ?? [];
        for (var i = 0; i < tunnels.Count; i++)
        {
            var tunnel = tunnels[i];
            if (tunnel is null)
            {
                Check(false, $"tunnels[{i}]", "must be an object");
                continue;
            }

            CheckTunnel(tunnel, $"tunnels[{i}]", Check);
            for (var j = 0; j < i; j++)
            {
                var other = tunnels[j];
                if (other is null)
                {
                    continue;
                }

                Check(!SameText(tunnel.TunnelId, other.TunnelId), $"tunnels[{i}].tunnel_id", $"same tunnel as $.tunnels[{j}]");
                Check(!SameText(tunnel.Service, other.Service), $"tunnels[{i}].service", $"\"{tunnel.Service}\" is also the backup of $.tunnels[{j}]: a failback of one would stop the other's backup");
                Check(tunnel.Name is null || !SameText(tunnel.Name, other.Name), $"tunnels[{i}].name", $"\"{tunnel.Name}\" is also the name of $.tunnels[{j}]");
            }
        }

        var alerts = options.Alerts ?? [];
        for (var i = 0; i < alerts.Count; i++)
        {
            if (alerts[i] is { } alert)
            {
                CheckAlert(alert, $"alerts[{i}]", Check);
            }
            else
            {
                Check(false, $"alerts[{i}]", "must be an object");
            }
        }

        return problems;
    }

    // Never echo the URL: webhook URLs carry their secret in the path or query. Scheme and host are safe to name.
    private static void CheckAlert(AlertOptions alert, string at, Action<bool, string, string> check)
    {
        check(!string.IsNullOrWhiteSpace(alert.Url), $"{at}.url", "missing (the webhook URL)");
        if (!string.IsNullOrWhiteSpace(alert.Url))
        {
            var seen = Uri.TryCreate(alert.Url, UriKind.Absolute, out var uri) ? $" (given: {uri.Scheme}://{uri.Host}/…)" : " (not an absolute URL)";
            check(IsAcceptableBaseUrl(alert.Url), $"{at}.url", "must be an absolute https URL (http only to a loopback address)" + seen);
        }

        check(AlertFormats.All.Contains(alert.Format), $"{at}.format", $"\"{alert.Format}\" is not one of {string.Join(", ", AlertFormats.All)}");
        check(alert.Events is { Count: > 0 }, $"{at}.events", $"must list at least one event (leave the key out for all: {string.Join(", ", AlertEventNames.All)})");
        foreach (var name in alert.Events ?? [])
        {
            check(AlertEventNames.All.Contains(name), $"{at}.events", $"\"{name}\" is not an event (use {string.Join(", ", AlertEventNames.All)})");
        }
    }

    private static void CheckTunnel(TunnelOptions tunnel, string at, Action<bool, string, string> check)
    {
        check(!string.IsNullOrWhiteSpace(tunnel.AccountId), $"{at}.account_id", "missing (the Cloudflare account id, 32 hexadecimal characters)");
        check(tunnel.AccountId is null || AccountIdPattern().IsMatch(tunnel.AccountId), $"{at}.account_id", $"\"{tunnel.AccountId}\" is not 32 hexadecimal characters");
        check(!string.IsNullOrWhiteSpace(tunnel.TunnelId), $"{at}.tunnel_id", "missing (the tunnel's UUID)");
        check(tunnel.TunnelId is null || Guid.TryParseExact(tunnel.TunnelId, "D", out _), $"{at}.tunnel_id", $"\"{tunnel.TunnelId}\" is not a UUID: give the tunnel's id (`cloudflared tunnel list`, ID column), not its name");
        check(!string.IsNullOrWhiteSpace(tunnel.Service), $"{at}.service", "missing (the systemd unit of the local backup connector)");
        check(tunnel.Service is null || ServiceName.IsValid(tunnel.Service), $"{at}.service", $"\"{tunnel.Service}\" is not a valid {ServiceName.Kind}");
        var sources = new[] { tunnel.Token, tunnel.TokenFile, tunnel.TokenCredential }.Count(s => !string.IsNullOrWhiteSpace(s));
        check(sources > 0, $"{at}.token", "missing (give token, token_file or token_credential)");
        check(sources < 2, $"{at}.token", "give only one of token, token_file and token_credential");
        check(tunnel.TokenCredential is null || CredentialName().IsMatch(tunnel.TokenCredential), $"{at}.token_credential", $"\"{tunnel.TokenCredential}\" is not a credential name (letters, digits, _ . -)");
        check(tunnel.BackupMetrics is null || IsHostAndPort(tunnel.BackupMetrics), $"{at}.backup_metrics", $"\"{tunnel.BackupMetrics}\" is not host:port (e.g. 127.0.0.1:20241)");
    }

    private static void CheckRange(double value, double min, double max, string field, string unit, Action<bool, string, string> check) =>
        check(value >= min && value <= max, field, $"{value} is out of range: {min} to {max} {unit}");

    private static bool SameText(string? a, string? b) =>
        a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>https anywhere; http only to loopback, where the fake API of the tests lives.</summary>
    internal static bool IsAcceptableBaseUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    // IPAddress.TryParse also takes legacy short forms ("192.168.1" is 192.168.0.1): a typo, not a gateway.
    private static bool IsIpAddress(string value) =>
        IPAddress.TryParse(value, out var address)
        && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || value.Count(c => c == '.') == 3);

    private static bool IsHostAndPort(string value) =>
        Uri.TryCreate("http://" + value, UriKind.Absolute, out var uri)
        && uri.Authority.Equals(value, StringComparison.OrdinalIgnoreCase)
        && !uri.IsDefaultPort;

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,255}\z")]
    private static partial Regex CredentialName();

    [GeneratedRegex(@"^[0-9a-fA-F]{32}\z")]
    private static partial Regex AccountIdPattern();
}
