using FailoverMonitor.Alerts;
using FailoverMonitor.Configuration;
using static FailoverMonitor.Tests.Alerts.AlertFixtures;

namespace FailoverMonitor.Tests.Alerts;

/// <summary><see cref="AlertTarget"/>: the name log lines use, and redaction of the URL's secrets from error text.</summary>
public sealed class AlertTargetTests
{
    private const string SlackUrl = "https://hooks.slack.com/services/T0AAA0000/B0BBB0000/XxXxSecretToken123";

    [Theory]
    [InlineData(SlackUrl, "hooks.slack.com")]
    [InlineData("https://discord.com/api/webhooks/123/abcSecret", "discord.com")]
    [InlineData("https://user:pa55word@hooks.example.com:8443/x?sig=abc", "hooks.example.com:8443")]
    [InlineData("http://127.0.0.1:9000/hook", "127.0.0.1:9000")]
    public void DisplayName_Url_HostAndNonDefaultPortOnly(string url, string expected)
    {
        var target = Assert.Single(AlertTarget.From([Hook(url)]));

        Assert.Equal(expected, target.DisplayName);
    }

    [Theory]
    [InlineData($"request to {SlackUrl} failed", "request to … failed")]
    [InlineData("POST /services/T0AAA0000/B0BBB0000/XxXxSecretToken123 returned 500", "POST … returned 500")]
    [InlineData("invalid token XxXxSecretToken123", "invalid token …")]
    [InlineData("no_service", "no_service")]
    public void Redact_TextQuotingTheUrl_SecretsCut(string text, string expected)
    {
        var target = Assert.Single(AlertTarget.From([Hook(SlackUrl)]));

        Assert.Equal(expected, target.Redact(text));
    }

    [Fact]
    public void Redact_QueryAndUserInfoSecrets_Cut()
    {
        var target = Assert.Single(AlertTarget.From([Hook("https://bot:Pa55word9@hooks.example.com/x?sig=SigSecret42")]));

        Assert.Equal("a … b … c", target.Redact("a SigSecret42 b bot:Pa55word9 c"));
    }

    [Fact]
    public void Wants_ListedEventsOnly()
    {
        var target = Assert.Single(AlertTarget.From([Hook(SlackUrl, events: AlertEvent.Hold)]));

        Assert.True(target.Wants(AlertEvent.Hold));
        Assert.False(target.Wants(AlertEvent.Failover));
    }
}
