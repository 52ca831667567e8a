namespace FailoverMonitor.Configuration;

/// <summary>
/// One webhook told when the monitor acts or needs attention. The URL often carries a secret (Slack and Discord put
/// their token in the path), so <see cref="ToString"/> names its scheme and host only.
/// </summary>
public sealed record AlertSettings
{
    /// <summary>The webhook (<c>url</c>): absolute, <c>https</c> (<c>http</c> only to a loopback address). A secret: never log it.</summary>
    public Uri Url { get; init; } = new("https://localhost/");

    /// <summary>Body format (<c>format</c>); default <see cref="AlertFormat.Json"/>.</summary>
    public AlertFormat Format { get; init; } = AlertFormat.Json;

    /// <summary>Which events are sent (<c>events</c>); default all of them.</summary>
    public IReadOnlySet<AlertEvent> Events { get; init; } = new HashSet<AlertEvent>(Enum.GetValues<AlertEvent>());

    /// <summary>Scheme, host and format only: the rest of the URL may be a secret.</summary>
    public override string ToString() => $"{nameof(AlertSettings)} {{ Url = {Url.Scheme}://{Url.IdnHost}/…, Format = {Format} }}";
}
