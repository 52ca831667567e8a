using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Every rule of <c>tunnels.json</c>, reported together in the file's terms: the JSON path (<c>$.tunnels[0].account_id</c>)
/// so a user can find the line to fix, and the value given. The rules an attribute states (<see cref="RequiredAttribute"/>,
/// <see cref="RangeAttribute"/> on <see cref="TunnelsFile"/>, <see cref="TunnelEntry"/> and <see cref="AlertEntry"/>)
/// are checked by the source-generated <see cref="AttributeValidators"/>; this class adds the rules no attribute can
/// state with a useful message (the form of an address, an id or a URL, quoting what was given) and those across fields
/// and entries (one token source, no tunnel or unit twice), and lists each entry's problems in the order its keys are
/// declared, whichever validator found them. Messages never contain a token.
/// </summary>
internal static partial class TunnelsFileValidator
{
    /// <summary>Longest <c>tunnels[].name</c>, characters.</summary>
    public const int MaxNameLength = 100;


    /// <summary>Every problem of <paramref name="options"/>; empty when it is valid.</summary>
    public static IReadOnlyList<string> FindProblems(TunnelsFile options)
    {
        var context = ConfigurationJsonContext.Default;
        var problems = InKeyOrder("$", options, AttributeValidators.Root.Validate("$", options), CheckRoot(options), context.TunnelsFile);
        var tunnels = options.Tunnels ?? [];
        var (ids, services, names) = (FirstSeen(), FirstSeen(), FirstSeen());
        for (var i = 0; i < tunnels.Count; i++)
        {
            var at = $"$.tunnels[{i}]";
            if (tunnels[i] is not { } tunnel)
            {
                problems.Add($"{at}: must be an object");
                continue;
            }

            var rules = CheckTunnel(tunnel, at);
            if (Repeats(ids, tunnel.TunnelId, i) is { } sameId)
            {
                rules.Add($"{at}.tunnel_id: same tunnel as $.tunnels[{sameId}]");
            }

            if (Repeats(services, tunnel.Service, i) is { } sameService)
            {
                rules.Add($"{at}.service: {ConfigText.Quote(tunnel.Service)} is also the backup of $.tunnels[{sameService}]: a failback of one would stop the other's backup");
            }

            if (Repeats(names, tunnel.Name, i) is { } sameName)
            {
                rules.Add($"{at}.name: {ConfigText.Quote(tunnel.Name)} is also the name of $.tunnels[{sameName}]");
            }

            problems.AddRange(InKeyOrder(at, tunnel, AttributeValidators.Tunnel.Validate(at, tunnel), rules, context.TunnelEntry));
        }

        var alerts = options.Alerts ?? [];
        for (var i = 0; i < alerts.Count; i++)
        {
            var at = $"$.alerts[{i}]";
            if (alerts[i] is { } alert)
            {
                problems.AddRange(InKeyOrder(at, alert, AttributeValidators.Alert.Validate(at, alert), CheckAlert(alert, at), context.AlertEntry));
            }
            else
            {
                problems.Add($"{at}: must be an object");
            }
        }

        return problems;
    }

    /// <summary>
    /// The attribute failures of one entry at <paramref name="at"/> in the file's terms, merged with
    /// <paramref name="rules"/>, ordered by the key each names (stable: per key, attribute failures first).
    /// </summary>
    private static List<string> InKeyOrder<T>(string at, T entry, ValidateOptionsResult attributes, List<string> rules, JsonTypeInfo<T> info)
    {
        var keys = info.Properties.Select(p => p.Name).ToList();
        var fromAttributes = (attributes.Failures ?? []).Select(f => FromAttribute(f, at, entry, info));
        return fromAttributes.Concat(rules).OrderBy(p => keys.IndexOf(KeyOf(p, at))).ToList();
    }

    /// <summary>
    /// A failure of the generated validator, <c>Member: message</c>, as a problem: the C# member becomes its JSON key,
    /// and the range message (the generator's own English, without the value) says what was given.
    /// </summary>
    private static string FromAttribute<T>(string failure, string at, T entry, JsonTypeInfo<T> info)
    {
        var split = failure.IndexOf(": ", StringComparison.Ordinal);
        var key = info.Options.PropertyNamingPolicy!.ConvertName(failure[..split]);
        var message = failure[(split + 2)..];
        if (OutOfRange().Match(message) is { Success: true } range)
        {
            var given = JsonSerializer.SerializeToElement(entry, info).GetProperty(key).GetRawText();
            return $"{at}.{key}: {given} is out of range: {range.Groups["min"].Value} to {range.Groups["max"].Value}";
        }

        // Our own ErrorMessage, "{0}: what", where {0} is the generator's display name of the member.
        return $"{at}.{key}: {message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..]}";
    }

    /// <summary>The key a problem of the entry at <paramref name="at"/> names (<c>tunnels</c> for <c>$.tunnels[3]: …</c>), or "" for the entry itself.</summary>
    private static string KeyOf(string problem, string at)
    {
        var rest = problem.AsSpan(Math.Min(problem.Length, at.Length + 1));
        return problem.StartsWith(at + ".", StringComparison.Ordinal) ? rest[..rest.IndexOfAny(":[.")].ToString() : "";
    }

    private static List<string> CheckRoot(TunnelsFile options)
    {
        var problems = new List<string>();
        var check = Checker(problems);
        void Check(bool ok, string field, string problem) => check(ok, "$." + field, problem);

        if (options.GatewayIp is not null && GatewayAddressProblem(options.GatewayIp) is { } gatewayProblem)
        {
            Check(false, "gateway_ip", $"{ConfigText.Quote(options.GatewayIp)} {gatewayProblem}");
        }

        Check(options.FailoverOn is { Count: > 0 }, "failover_on", "must list at least one status");
        foreach (var status in options.FailoverOn ?? [])
        {
            Check(TunnelStatuses.Failable.Parse(status) is not null, "failover_on", $"{ConfigText.Quote(status)} is not a status that can count as failed (use {string.Join(", ", TunnelStatuses.Failable.All)})");
        }

        Check(FailbackModes.Words.Parse(options.Failback) is not null, "failback", $"{ConfigText.Quote(options.Failback)} is not one of {string.Join(", ", FailbackModes.Words.All)}");
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
        return problems;
    }

    // Never echo the URL: webhook URLs carry their secret in the path or query. Scheme and host are safe to name.
    private static List<string> CheckAlert(AlertEntry alert, string at)
    {
        var problems = new List<string>();
        var check = Checker(problems);
        if (!string.IsNullOrWhiteSpace(alert.Url))
        {
            check(IsAcceptableBaseUrl(alert.Url), $"{at}.url", "must be an absolute https URL (http only to a loopback address)" + Seen(alert.Url, withPath: false));
        }

        check(AlertFormats.Words.Parse(alert.Format) is not null, $"{at}.format", $"{ConfigText.Quote(alert.Format)} is not one of {string.Join(", ", AlertFormats.Words.All)}");
        check(alert.Events is { Count: > 0 }, $"{at}.events", $"must list at least one event (leave the key out for all: {string.Join(", ", AlertEvents.Words.All)})");
        foreach (var name in alert.Events ?? [])
        {
            check(AlertEvents.Words.Parse(name) is not null, $"{at}.events", $"{ConfigText.Quote(name)} is not an event (use {string.Join(", ", AlertEvents.Words.All)})");
        }

        return problems;
    }

    private static List<string> CheckTunnel(TunnelEntry tunnel, string at)
    {
        var problems = new List<string>();
        var check = Checker(problems);

        // The name reaches log lines and `status` as it is: nothing that could forge a line or drive a terminal.
        check(tunnel.Name is null || ConfigText.IsClean(tunnel.Name), $"{at}.name", $"{ConfigText.Quote(tunnel.Name)} holds a control character (line break, escape, tab, …) or an invisible format character");
        check(tunnel.Name is null || tunnel.Name.Length <= MaxNameLength, $"{at}.name", $"is {tunnel.Name?.Length} characters long; at most {MaxNameLength}");
        check(tunnel.AccountId is null || AccountIdPattern().IsMatch(tunnel.AccountId), $"{at}.account_id", $"{ConfigText.Quote(tunnel.AccountId)} is not 32 hexadecimal characters");
        check(tunnel.TunnelId is null || Guid.TryParseExact(tunnel.TunnelId, "D", out _), $"{at}.tunnel_id", $"{ConfigText.Quote(tunnel.TunnelId)} is not a UUID: give the tunnel's id (`cloudflared tunnel list`, ID column), not its name");
        check(tunnel.Service is null || ServiceName.IsValid(tunnel.Service), $"{at}.service", $"{ConfigText.Quote(tunnel.Service)} is not a valid {ServiceName.Kind}");
        var sources = new[] { tunnel.Token, tunnel.TokenFile, tunnel.TokenCredential }.Count(s => !string.IsNullOrWhiteSpace(s));
        check(sources > 0, $"{at}.token", "missing (give token, token_file or token_credential)");
        check(sources < 2, $"{at}.token", "give only one of token, token_file and token_credential");
        check(tunnel.TokenCredential is null || CredentialName().IsMatch(tunnel.TokenCredential), $"{at}.token_credential", $"{ConfigText.Quote(tunnel.TokenCredential)} is not a credential name (letters, digits, _ . -)");
        check(tunnel.BackupMetrics is null || IsHostAndPort(tunnel.BackupMetrics), $"{at}.backup_metrics", $"{ConfigText.Quote(tunnel.BackupMetrics)} is not host:port (e.g. 127.0.0.1:20241)");
        return problems;
    }

    /// <summary>A check that adds "<c>field: problem</c>" to <paramref name="problems"/> unless its condition holds.</summary>
    private static Action<bool, string, string> Checker(List<string> problems) => (ok, field, problem) =>
    {
        if (!ok)
        {
            problems.Add($"{field}: {problem}");
        }
    };

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

    [GeneratedRegex(@"^The field \S+ must be between (?<min>\S+) and (?<max>\S+)\.\z")]
    private static partial Regex OutOfRange();

    [GeneratedRegex(@"^[0-9a-fA-F]{32}\z")]
    private static partial Regex AccountIdPattern();
}
