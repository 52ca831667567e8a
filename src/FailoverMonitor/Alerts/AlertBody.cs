using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Alerts;

/// <summary>The request body of an alert, per <see cref="AlertFormat">format</see>. Pure: no I/O, no clock.</summary>
public static class AlertBody
{
    /// <summary>Longest chat message sent; Discord refuses content over 2000 characters.</summary>
    public const int MaxTextLength = 1900;

    /// <summary>The JSON body of <paramref name="alert"/> in <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a named <see cref="AlertFormat"/>.</exception>
    public static string Create(Alert alert, AlertFormat format) => format switch
    {
        AlertFormat.Json => JsonSerializer.Serialize(
            new GenericAlertBody(alert.Event.ToConfigWord(), alert.Tunnel, alert.TunnelId, alert.Service, alert.Reason, alert.Took, alert.At, alert.Host, alert.DryRun),
            AlertJsonContext.Default.GenericAlertBody),
        AlertFormat.Slack => JsonSerializer.Serialize(new SlackAlertBody(EscapeForSlack(Text(alert))), AlertJsonContext.Default.SlackAlertBody),
        // No @everyone, role or user pings from a reason that happens to contain one.
        AlertFormat.Discord => JsonSerializer.Serialize(new DiscordAlertBody(Text(alert), new DiscordAllowedMentions([])), AlertJsonContext.Default.DiscordAlertBody),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown alert format"),
    };

    /// <summary>The one-line human message of chat formats, e.g. <c>[host] Tunnel web failed over: …</c>.</summary>
    public static string Text(Alert alert)
    {
        var what = (alert.Event, alert.Took) switch
        {
            (AlertEvent.Failover, true) => $"Tunnel {alert.Tunnel} FAILED OVER: local backup {alert.Service} started. Reason: {alert.Reason}",
            (AlertEvent.Failover, _) => $"Tunnel {alert.Tunnel}: failover FAILED, local backup {alert.Service} did not start: {alert.Reason}",
            (AlertEvent.Failback, true) => $"Tunnel {alert.Tunnel} restored: local backup {alert.Service} stopped. Reason: {alert.Reason}",
            (AlertEvent.Failback, _) => $"Tunnel {alert.Tunnel}: failback FAILED, local backup {alert.Service} did not stop: {alert.Reason}",
            (AlertEvent.Restart, true) => $"Tunnel {alert.Tunnel}: local backup {alert.Service} restarted (it had not connected). Reason: {alert.Reason}",
            (AlertEvent.Restart, _) => $"Tunnel {alert.Tunnel}: restarting local backup {alert.Service} FAILED: {alert.Reason}",
            (AlertEvent.Hold, _) => $"Tunnel {alert.Tunnel} ON HOLD: {alert.Reason}. No stop or restart of {alert.Service} until a reload or the hour has passed; a down tunnel still gets its backup started",
            (AlertEvent.ConfigProblem, _) => $"Tunnel {alert.Tunnel}: configuration problem: {alert.Reason}. No action for this tunnel until fixed",
            _ => throw new ArgumentOutOfRangeException(nameof(alert), alert.Event, "unknown alert event"),
        };
        var dryRun = alert.DryRun ? ", DRY RUN: nothing was started or stopped" : "";
        var text = string.Create(CultureInfo.InvariantCulture, $"[failover-monitor on {alert.Host}{dryRun}] {what} ({alert.At.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)");
        return text.Length <= MaxTextLength ? text : text[..(MaxTextLength - 1)] + "…";
    }

    // Slack reads &, < and > as markup (links, mentions); its docs ask for exactly these three escapes.
    private static string EscapeForSlack(string text) =>
        new StringBuilder(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").ToString();
}

/// <summary>The generic JSON alert; <c>dry_run</c> appears only when true.</summary>
internal sealed record GenericAlertBody(
    string Event,
    string Tunnel,
    string? TunnelId,
    string? Service,
    string Reason,
    bool? Took,
    DateTimeOffset At,
    string Host,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool DryRun);

/// <summary>A Slack incoming-webhook message.</summary>
internal sealed record SlackAlertBody(string Text);

/// <summary>A Discord webhook message.</summary>
internal sealed record DiscordAlertBody(string Content, DiscordAllowedMentions AllowedMentions);

/// <summary>Discord's <c>allowed_mentions</c>; an empty <c>parse</c> list pings nobody.</summary>
internal sealed record DiscordAllowedMentions(string[] Parse);

/// <summary>Source-generated JSON for alert bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(GenericAlertBody))]
[JsonSerializable(typeof(SlackAlertBody))]
[JsonSerializable(typeof(DiscordAlertBody))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
