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
    public string Format { get; set; } = AlertFormats.Json;

    /// <summary>
    /// Which events are sent: any of <c>failover</c>, <c>failback</c>, <c>restart</c>, <c>hold</c>,
    /// <c>config_problem</c>; default all of them.
    /// </summary>
    public List<string> Events { get; set; } = [.. AlertEventNames.All];
}

/// <summary>Values of <see cref="AlertOptions.Format"/>.</summary>
public static class AlertFormats
{
    /// <summary>Generic JSON: <c>{"event","tunnel","tunnel_id","service","reason","took","at","host"}</c>.</summary>
    public const string Json = "json";

    /// <summary>Slack-compatible incoming webhook: <c>{"text": "…"}</c> (also Mattermost, Rocket.Chat, Google Chat).</summary>
    public const string Slack = "slack";

    /// <summary>Discord-compatible webhook: <c>{"content": "…"}</c>, with mentions disabled.</summary>
    public const string Discord = "discord";

    /// <summary>Every accepted value.</summary>
    public static readonly string[] All = [Json, Slack, Discord];
}

/// <summary>Values of <see cref="AlertOptions.Events"/>, as they appear in the file and in the <c>event</c> field of a JSON alert.</summary>
public static class AlertEventNames
{
    /// <summary>The backup was started because the tunnel failed (or the start did not take).</summary>
    public const string Failover = "failover";

    /// <summary>The backup was stopped because the primary is back (or the stop did not take).</summary>
    public const string Failback = "failback";

    /// <summary>The backup was restarted because it never connected (or the restart did not take).</summary>
    public const string Restart = "restart";

    /// <summary>The flap guard put the tunnel on hold: no more actions until a reload or the hour has passed.</summary>
    public const string Hold = "hold";

    /// <summary>The API reported a configuration problem (token rejected, wrong account or tunnel id).</summary>
    public const string ConfigProblem = "config_problem";

    /// <summary>Every accepted value.</summary>
    public static readonly string[] All = [Failover, Failback, Restart, Hold, ConfigProblem];
}
