using FailoverMonitor.Configuration;

namespace FailoverMonitor.Alerts;

/// <summary>A validated <c>alerts[]</c> entry, ready to post to.</summary>
internal sealed class AlertTarget
{
    // Parts of a URL this long may be (part of) a secret; shorter ones ("/", "api", "v1") would only garble text.
    private const int SecretPartLength = 6;

    private readonly HashSet<string> _events;

    private AlertTarget(Uri uri, string format, IEnumerable<string> events)
    {
        Uri = uri;
        Format = format;
        _events = new HashSet<string>(events, StringComparer.Ordinal);
        DisplayName = Describe(uri);
    }

    /// <summary>The webhook URL. A secret: never log it, use <see cref="DisplayName"/>.</summary>
    public Uri Uri { get; }

    /// <summary>One of <see cref="AlertFormats"/>.</summary>
    public string Format { get; }

    /// <summary>What log lines name the target by: host and, when not the default, port (e.g. <c>hooks.slack.com</c>).</summary>
    public string DisplayName { get; }

    /// <summary>Whether this target wants <paramref name="eventName"/>.</summary>
    public bool Wants(string eventName) => _events.Contains(eventName);

    /// <summary>The targets of <paramref name="options"/> (already validated by the loader).</summary>
    public static IReadOnlyList<AlertTarget> From(MonitorOptions options) =>
        (options.Alerts ?? [])
            .Where(a => a?.Url is not null)
            .Select(a => new AlertTarget(new Uri(a.Url!, UriKind.Absolute), a.Format, a.Events ?? []))
            .ToList();

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
