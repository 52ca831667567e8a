namespace FailoverMonitor.Configuration;

/// <summary>Body format of an alert: the <c>format</c> of an <c>alerts[]</c> entry.</summary>
public enum AlertFormat
{
    /// <summary>Generic JSON: <c>{"event","tunnel","tunnel_id","service","reason","took","at","host"}</c> (<c>json</c>).</summary>
    Json,

    /// <summary>Slack-compatible incoming webhook: <c>{"text": "…"}</c> (also Mattermost, Rocket.Chat, Google Chat) (<c>slack</c>).</summary>
    Slack,

    /// <summary>Discord-compatible webhook: <c>{"content": "…"}</c>, with mentions disabled (<c>discord</c>).</summary>
    Discord,
}

/// <summary>What an alert tells of: one of the <c>events</c> of an <c>alerts[]</c> entry.</summary>
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
