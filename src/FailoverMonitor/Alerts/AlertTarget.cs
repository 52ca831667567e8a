using FailoverMonitor.Configuration;

namespace FailoverMonitor.Alerts;

/// <summary>A validated <c>alerts[]</c> entry, ready to post to.</summary>
internal sealed class AlertTarget
{
    // Parts of a URL this long may be (part of) a secret; shorter ones ("/", "api", "v1") would only garble text.
    private const int SecretPartLength = 6;

    private readonly HashSet<AlertEvent> _events;

    private AlertTarget(AlertSettings settings)
    {
        Uri = settings.Url;
        Format = settings.Format;
        _events = [.. settings.Events];
        DisplayName = Describe(Uri);
    }

    /// <summary>The webhook URL. A secret: never log it, use <see cref="DisplayName"/>.</summary>
    public Uri Uri { get; }

    /// <summary>The body format.</summary>
    public AlertFormat Format { get; }

    /// <summary>What log lines name the target by: host and, when not the default, port (e.g. <c>hooks.slack.com</c>).</summary>
    public string DisplayName { get; }

    /// <summary>Whether this target wants <paramref name="alertEvent"/>.</summary>
    public bool Wants(AlertEvent alertEvent) => _events.Contains(alertEvent);

    /// <summary>The targets of <paramref name="alerts"/>, in order.</summary>
    public static IReadOnlyList<AlertTarget> From(IEnumerable<AlertSettings> alerts) => [.. alerts.Select(a => new AlertTarget(a))];

    /// <summary>Host and non-default port of <paramref name="uri"/>: no user info, path or query, where webhook secrets live.</summary>
    public static string Describe(Uri uri) => uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";

    /// <summary>
    /// <paramref name="text"/> (an exception message, a response body) with this target's URL, path and query cut
    /// out, so an error that quotes the request never leaks the secret into a log line.
    /// </summary>
    public string Redact(string text)
    {
        // Longest first, so the whole URL becomes one "…" rather than a string of them; then any long part on its
        // own (a token quoted without the rest of its path).
        var parts = new[] { Uri.OriginalString, Uri.AbsoluteUri, Uri.PathAndQuery, Uri.AbsolutePath, Uri.Query, Uri.UserInfo }
            .Concat(Uri.Segments.Select(s => s.Trim('/')))
            .Concat(Uri.Query.TrimStart('?').Split('&', '='))
            .SelectMany(p => new[] { p, Uri.UnescapeDataString(p) })
            .Where(p => p.Length >= SecretPartLength)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(p => p.Length);
        foreach (var secret in parts)
        {
            text = text.Replace(secret, "…", StringComparison.OrdinalIgnoreCase);
        }

        return text;
    }
}
