using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Every rule of <c>tunnels.json</c>, per field and across fields, reported together and named by JSON path
/// (<c>$.tunnels[0].account_id</c>) so a user can find the line to fix. Messages never contain a token.
/// </summary>
public sealed partial class MonitorOptionsValidator : IValidateOptions<MonitorOptions>
{
    /// <summary>Longest <c>tunnels[].name</c>, characters.</summary>
    public const int MaxNameLength = 100;

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
        if (options.GatewayIp is not null && GatewayAddressProblem(options.GatewayIp) is { } gatewayProblem)
        {
            Check(false, "gateway_ip", $"{ConfigText.Quote(options.GatewayIp)} {gatewayProblem}");
        }

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
            Check(FailableStatuses.Contains(status), "failover_on", $"{ConfigText.Quote(status)} is not a status that can count as failed (use {string.Join(", ", FailableStatuses)})");
        }

        Check(FailbackModes.All.Contains(options.Failback), "failback", $"{ConfigText.Quote(options.Failback)} is not one of {string.Join(", ", FailbackModes.All)}");
        // Never echo the URL whole: user:password@, a query or a fragment can hold a secret.
        Check(IsAcceptableBaseUrl(options.ApiBaseUrl), "api_base_url", "must be an absolute https URL (http only to a loopback address)" + Seen(options.ApiBaseUrl, withPath: true));
        Check(!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var apiUri) || (apiUri.UserInfo.Length == 0 && apiUri.Query.Length == 0 && apiUri.Fragment.Length == 0),
            "api_base_url", "must not hold user:password@, a ?query or a #fragment (the token goes in token, token_file or token_credential)");
        Check(!string.IsNullOrWhiteSpace(options.LogFile) && Path.IsPathFullyQualified(options.LogFile), "log_file", "must be an absolute path");
        Check(!string.IsNullOrWhiteSpace(options.StateFile) && Path.IsPathFullyQualified(options.StateFile), "state_file", "must be an absolute path");
        Check(options.MetricsListen is null || ListenAddress.TryParse(options.MetricsListen, out _), "metrics_listen",
            $"{ConfigText.Quote(options.MetricsListen)} is not address:port with a port from 1 to 65535 (e.g. 127.0.0.1:9464, [::1]:9464)");
        Check(options.OtlpEndpoint is null || IsHttpUrl(options.OtlpEndpoint), "otlp_endpoint",
            "must be an absolute http or https URL (e.g. http://127.0.0.1:4318)");

        Check(options.Tunnels is { Count: > 0 }, "tunnels", "must list at least one tunnel");
        var tunnels = options.Tunnels ?? [];
        var (ids, services, names) = (FirstSeen(), FirstSeen(), FirstSeen());
        for (var i = 0; i < tunnels.Count; i++)
        {
            var tunnel = tunnels[i];
            if (tunnel is null)
            {
                Check(false, $"tunnels[{i}]", "must be an object");
                continue;
            }

            CheckTunnel(tunnel, $"tunnels[{i}]", Check);
            if (Repeats(ids, tunnel.TunnelId, i) is { } sameId)
            {
                Check(false, $"tunnels[{i}].tunnel_id", $"same tunnel as $.tunnels[{sameId}]");
            }

            if (Repeats(services, tunnel.Service, i) is { } sameService)
            {
                Check(false, $"tunnels[{i}].service", $"{ConfigText.Quote(tunnel.Service)} is also the backup of $.tunnels[{sameService}]: a failback of one would stop the other's backup");
            }

            if (Repeats(names, tunnel.Name, i) is { } sameName)
            {
                Check(false, $"tunnels[{i}].name", $"{ConfigText.Quote(tunnel.Name)} is also the name of $.tunnels[{sameName}]");
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
            check(IsAcceptableBaseUrl(alert.Url), $"{at}.url", "must be an absolute https URL (http only to a loopback address)" + Seen(alert.Url, withPath: false));
        }

        check(AlertFormats.All.Contains(alert.Format), $"{at}.format", $"{ConfigText.Quote(alert.Format)} is not one of {string.Join(", ", AlertFormats.All)}");
        check(alert.Events is { Count: > 0 }, $"{at}.events", $"must list at least one event (leave the key out for all: {string.Join(", ", AlertEventNames.All)})");
        foreach (var name in alert.Events ?? [])
        {
            check(AlertEventNames.All.Contains(name), $"{at}.events", $"{ConfigText.Quote(name)} is not an event (use {string.Join(", ", AlertEventNames.All)})");
        }
    }

    private static void CheckTunnel(TunnelOptions tunnel, string at, Action<bool, string, string> check)
    {
        // The name reaches log lines and `status` as it is: nothing that could forge a line or drive a terminal.
        check(tunnel.Name is null || ConfigText.IsClean(tunnel.Name), $"{at}.name", $"{ConfigText.Quote(tunnel.Name)} holds a control character (line break, escape, tab, …) or an invisible format character");
        check(tunnel.Name is null || tunnel.Name.Length <= MaxNameLength, $"{at}.name", $"is {tunnel.Name?.Length} characters long; at most {MaxNameLength}");
        check(!string.IsNullOrWhiteSpace(tunnel.AccountId), $"{at}.account_id", "missing (the Cloudflare account id, 32 hexadecimal characters)");
        check(tunnel.AccountId is null || AccountIdPattern().IsMatch(tunnel.AccountId), $"{at}.account_id", $"{ConfigText.Quote(tunnel.AccountId)} is not 32 hexadecimal characters");
        check(!string.IsNullOrWhiteSpace(tunnel.TunnelId), $"{at}.tunnel_id", "missing (the tunnel's UUID)");
        check(tunnel.TunnelId is null || Guid.TryParseExact(tunnel.TunnelId, "D", out _), $"{at}.tunnel_id", $"{ConfigText.Quote(tunnel.TunnelId)} is not a UUID: give the tunnel's id (`cloudflared tunnel list`, ID column), not its name");
        check(!string.IsNullOrWhiteSpace(tunnel.Service), $"{at}.service", "missing (the systemd unit of the local backup connector)");
        check(tunnel.Service is null || ServiceName.IsValid(tunnel.Service), $"{at}.service", $"{ConfigText.Quote(tunnel.Service)} is not a valid {ServiceName.Kind}");
        var sources = new[] { tunnel.Token, tunnel.TokenFile, tunnel.TokenCredential }.Count(s => !string.IsNullOrWhiteSpace(s));
        check(sources > 0, $"{at}.token", "missing (give token, token_file or token_credential)");
        check(sources < 2, $"{at}.token", "give only one of token, token_file and token_credential");
        check(tunnel.TokenCredential is null || CredentialName().IsMatch(tunnel.TokenCredential), $"{at}.token_credential", $"{ConfigText.Quote(tunnel.TokenCredential)} is not a credential name (letters, digits, _ . -)");
        check(tunnel.BackupMetrics is null || IsHostAndPort(tunnel.BackupMetrics), $"{at}.backup_metrics", $"{ConfigText.Quote(tunnel.BackupMetrics)} is not host:port (e.g. 127.0.0.1:20241)");
    }

    private static void CheckRange(double value, double min, double max, string field, string unit, Action<bool, string, string> check) =>
        check(value >= min && value <= max, field, $"{value} is out of range: {min} to {max} {unit}");

    private static Dictionary<string, int> FirstSeen() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The index of the first tunnel with the same <paramref name="value"/> (case ignored), or null; remembers the first.</summary>
    private static int? Repeats(Dictionary<string, int> firstSeen, string? value, int index) =>
        value is null || firstSeen.TryAdd(value, index) ? null : firstSeen[value];

    /// <summary>A URL for a message: scheme, host, port and (for <paramref name="withPath"/>) path, never user info, query or fragment.</summary>
    private static string Seen(string? value, bool withPath) =>
        !Uri.TryCreate(value, UriKind.Absolute, out var uri) ? " (not an absolute URL)"
        : $" (given: {ConfigText.Safe(uri.Scheme + "://" + uri.Authority + (withPath ? uri.AbsolutePath : "/…"))})";

    /// <summary>https anywhere; http only to loopback, where the fake API of the tests lives.</summary>
    internal static bool IsAcceptableBaseUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    /// <summary>
    /// Why <paramref name="value"/> cannot be the gateway, or null. IPAddress.TryParse also takes the legacy forms
    /// of inet_aton ("127.1", "0x7f.1", "127.0.0.010" read as octal, so 127.0.0.8): the text must be the address's
    /// own canonical spelling. An address no gateway can have (0.0.0.0, ::, broadcast, multicast) would fail every
    /// cycle.
    /// </summary>
    internal static string? GatewayAddressProblem(string value)
    {
        var scope = value.IndexOf('%', StringComparison.Ordinal);
        var bare = scope < 0 ? value : value[..scope];
        if (!IPAddress.TryParse(value, out var address) || (scope >= 0 && address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            return "is not an IP address";
        }

        var canonical = new IPAddress(address.GetAddressBytes()).ToString();
        if (!string.Equals(bare, canonical, StringComparison.OrdinalIgnoreCase))
        {
            return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? "is not written as four decimal numbers without leading zeros (e.g. 192.168.1.1); short, octal and hex forms are not accepted"
                : $"is not in canonical form: write {canonical}";
        }

        var bytes = address.GetAddressBytes();
        return address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "is the unspecified address, which no gateway has"
            : address.Equals(IPAddress.Broadcast) ? "is the broadcast address, which no gateway has"
            : address.IsIPv6Multicast || (bytes.Length == 4 && bytes[0] >= 224 && bytes[0] <= 239) ? "is a multicast address, which no gateway has"
            : null;
    }

    private static bool IsHostAndPort(string value) =>
        Uri.TryCreate("http://" + value, UriKind.Absolute, out var uri)
        && uri.Authority.Equals(value, StringComparison.OrdinalIgnoreCase)
        && !uri.IsDefaultPort;

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,255}\z")]
    private static partial Regex CredentialName();

    [GeneratedRegex(@"^[0-9a-fA-F]{32}\z")]
    private static partial Regex AccountIdPattern();
}
