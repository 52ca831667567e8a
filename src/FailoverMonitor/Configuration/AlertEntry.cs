using System.ComponentModel.DataAnnotations;

namespace FailoverMonitor.Configuration;

/// <summary>
/// The shape of one entry of <c>alerts[]</c> (see <see cref="TunnelsFile"/>; once valid, an <see cref="AlertSettings"/>): a webhook told when the monitor acts or needs attention. The URL often carries a
/// secret (Slack and Discord put their token in the path), so it is never logged or echoed: log lines and
/// validation messages name its scheme and host only.
/// </summary>
internal sealed class AlertEntry
{
    /// <summary>The webhook: an absolute <c>https</c> URL (<c>http</c> only to a loopback address). Required.</summary>
    [Required(ErrorMessage = "{0}: missing (the webhook URL)")]
    public string? Url { get; set; }

    /// <summary>Body format: <c>json</c> (default, generic), <c>slack</c> (<c>{"text": …}</c>) or <c>discord</c> (<c>{"content": …}</c>).</summary>
    public string Format { get; set; } = AlertFormats.Words.Word(AlertFormat.Json);

    /// <summary>
    /// Which events are sent: any of <c>failover</c>, <c>failback</c>, <c>restart</c>, <c>hold</c>,
    /// <c>config_problem</c>; default all of them.
    /// </summary>
    public List<string> Events { get; set; } = [.. AlertEvents.Words.All];
}
