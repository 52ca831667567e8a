using System.Text.Json;
using FailoverMonitor.Alerts;
using FailoverMonitor.Configuration;
using static FailoverMonitor.Tests.Alerts.AlertFixtures;

namespace FailoverMonitor.Tests.Alerts;

/// <summary><see cref="AlertBody"/>: the three body formats, field by field.</summary>
public sealed class AlertBodyTests
{
    [Fact]
    public void Create_Json_HasEveryFieldSnakeCase()
    {
        var body = AlertBody.Create(Failover(), AlertFormat.Json);

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(
            ["event", "tunnel", "tunnel_id", "service", "reason", "took", "at", "host"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("failover", root.GetProperty("event").GetString());
        Assert.Equal("web", root.GetProperty("tunnel").GetString());
        Assert.Equal(TunnelId, root.GetProperty("tunnel_id").GetString());
        Assert.Equal("cloudflared-backup", root.GetProperty("service").GetString());
        Assert.Equal("status down for 2 checks", root.GetProperty("reason").GetString());
        Assert.True(root.GetProperty("took").GetBoolean());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), root.GetProperty("at").GetDateTimeOffset());
        Assert.Equal("host1", root.GetProperty("host").GetString());
    }

    [Fact]
    public void Create_JsonForHold_TookIsNull()
    {
        var hold = Failover() with { Event = AlertEvent.Hold, Took = null };

        using var json = JsonDocument.Parse(AlertBody.Create(hold, AlertFormat.Json));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("took").ValueKind);
    }

    [Fact]
    public void Create_Slack_IsOneTextField()
    {
        using var json = JsonDocument.Parse(AlertBody.Create(Failover(), AlertFormat.Slack));

        var property = Assert.Single(json.RootElement.EnumerateObject());
        Assert.Equal("text", property.Name);
        Assert.Equal(
            "[failover-monitor on host1] Tunnel web FAILED OVER: local backup cloudflared-backup started. Reason: status down for 2 checks (2026-01-01 00:00:00 UTC)",
            property.Value.GetString());
    }

    [Fact]
    public void Create_Slack_EscapesItsControlCharacters()
    {
        using var json = JsonDocument.Parse(AlertBody.Create(Failover("<!channel> a & b"), AlertFormat.Slack));

        Assert.Contains("Reason: &lt;!channel&gt; a &amp; b", json.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void Create_Discord_IsContentWithMentionsDisabled()
    {
        using var json = JsonDocument.Parse(AlertBody.Create(Failover("@everyone look"), AlertFormat.Discord));

        Assert.Equal(["content", "allowed_mentions"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(
            "[failover-monitor on host1] Tunnel web FAILED OVER: local backup cloudflared-backup started. Reason: @everyone look (2026-01-01 00:00:00 UTC)",
            json.RootElement.GetProperty("content").GetString());
        Assert.Empty(json.RootElement.GetProperty("allowed_mentions").GetProperty("parse").EnumerateArray());
    }

    [Fact]
    public void Text_LongReason_CutToDiscordLimit()
    {
        var text = AlertBody.Text(Failover(new string('x', 5000)));

        Assert.Equal(AlertBody.MaxTextLength, text.Length);
        Assert.EndsWith("…", text);
    }

    [Theory]
    [InlineData(AlertEvent.Failover, true, "Tunnel web FAILED OVER: local backup cloudflared-backup started. Reason: why")]
    [InlineData(AlertEvent.Failover, false, "Tunnel web: failover FAILED, local backup cloudflared-backup did not start: why")]
    [InlineData(AlertEvent.Failback, true, "Tunnel web restored: local backup cloudflared-backup stopped. Reason: why")]
    [InlineData(AlertEvent.Failback, false, "Tunnel web: failback FAILED, local backup cloudflared-backup did not stop: why")]
    [InlineData(AlertEvent.Restart, true, "Tunnel web: local backup cloudflared-backup restarted (it had not connected). Reason: why")]
    [InlineData(AlertEvent.Restart, false, "Tunnel web: restarting local backup cloudflared-backup FAILED: why")]
    [InlineData(AlertEvent.Hold, null, "Tunnel web ON HOLD: why. No stop or restart of cloudflared-backup until a reload or the hour has passed; a down tunnel still gets its backup started")]
    [InlineData(AlertEvent.ConfigProblem, null, "Tunnel web: configuration problem: why. No action for this tunnel until fixed")]
    public void Text_EachEvent_SaysWhatHappened(AlertEvent eventName, bool? took, string expected)
    {
        var text = AlertBody.Text(Failover("why") with { Event = eventName, Took = took });

        Assert.Equal($"[failover-monitor on host1] {expected} (2026-01-01 00:00:00 UTC)", text);
    }

    [Fact]
    public void Create_DryRun_SaysSoInJsonAndText()
    {
        var alert = Failover() with { DryRun = true };

        using var json = JsonDocument.Parse(AlertBody.Create(alert, AlertFormat.Json));

        Assert.True(json.RootElement.GetProperty("dry_run").GetBoolean());
        Assert.StartsWith("[failover-monitor on host1, DRY RUN: nothing was started or stopped] Tunnel web FAILED OVER", AlertBody.Text(alert));
    }

    [Fact]
    public void Create_UnknownFormat_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AlertBody.Create(Failover(), (AlertFormat)99));
}
