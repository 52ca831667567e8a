using System.ComponentModel.DataAnnotations;

namespace FailoverMonitor.Configuration;

/// <summary>
/// One entry of <c>alerts[]</c>: a webhook told when the monitor acts or needs attention. The URL often carries a
/// secret (Slack and Discord put their token in the path), so it is never logged or echoed: log lines and
/// validation messages name its scheme and host only.
/// </summary>
public sealed class AlertOptions
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

/// <summary>Body format of an alert: <see cref="AlertOptions.Format"/>, parsed.</summary>
public enum AlertFormat
{
    /// <summary>Generic JSON: <c>{"event","tunnel","tunnel_id","service","reason","took","at","host"}</c> (<c>json</c>).</summary>
    Json,

    /// <summary>Slack-compatible incoming webhook: <c>{"text": "…"}</c> (also Mattermost, Rocket.Chat, Google Chat) (<c>slack</c>).</summary>
    Slack,

    /// <summary>Discord-compatible webhook: <c>{"content": "…"}</c>, with mentions disabled (<c>discord</c>).</summary>
    Discord,
}

/// <summary>What an alert tells of: <see cref="AlertOptions.Events"/>, parsed.</summary>
public enum AlertEvent
{
    /// <summary>The backup was started because the tunnel failed (or the start did not take).</summary>
    Failover,

    /// <summary>The backup was stopped because the primary is back (or the stop did not take).</summary>
    Failback,

    /// <summary>The backup was restarted because it never connected (or the restart did not take).</summary>
    Restart,

    /// <summary>The flap guard put the tunnel on hold: no more actions until a reload or the hour has passed.</summary>
    Hold,

    /// <summary>The API reported a configuration problem (token rejected, wrong account or tunnel id).</summary>
    ConfigProblem,
}

/// <summary>The words of <see cref="AlertFormat"/> in <c>tunnels.json</c>.</summary>
public static class AlertFormats
{
    /// <summary>Every format and its word.</summary>
    public static ConfigWords<AlertFormat> Words { get; } = new(("json", AlertFormat.Json), ("slack", AlertFormat.Slack), ("discord", AlertFormat.Discord));

    /// <summary>The word of <paramref name="format"/>, e.g. <c>slack</c>.</summary>
    public static string ToConfigWord(this AlertFormat format) => Words.Word(format);
}

/// <summary>The words of <see cref="AlertEvent"/>, as they appear in the file and in the <c>event</c> field of a JSON alert.</summary>
public static class AlertEvents
{
    /// <summary>Every event and its word.</summary>
    public static ConfigWords<AlertEvent> Words { get; } = new(
        ("failover", AlertEvent.Failover), ("failback", AlertEvent.Failback), ("restart", AlertEvent.Restart), ("hold", AlertEvent.Hold), ("config_problem", AlertEvent.ConfigProblem));

    /// <summary>The word of <paramref name="alertEvent"/>, e.g. <c>config_problem</c>.</summary>
    public static string ToConfigWord(this AlertEvent alertEvent) => Words.Word(alertEvent);
}
