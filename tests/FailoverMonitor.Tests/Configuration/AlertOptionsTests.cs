using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Configuration;

/// <summary><c>alerts[]</c> in <c>tunnels.json</c>: defaults, rules, and messages that never repeat a webhook URL.</summary>
public sealed class AlertOptionsTests : IDisposable
{
    private const string SlackUrl = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_NoAlertsKey_NoAlerts()
    {
        Assert.Empty(ConfigurationLoader.Load(Write(null)).Settings.Alerts);
    }

    [Fact]
    public void Load_UrlOnly_JsonFormatAndEveryEvent()
    {
        var settings = ConfigurationLoader.Load(Write($$"""[ { "url": "{{SlackUrl}}" } ]""")).Settings;

        var alert = Assert.Single(settings.Alerts);
        Assert.Equal(SlackUrl, alert.Url.OriginalString);
        Assert.Equal(AlertFormat.Json, alert.Format);
        Assert.Equal([AlertEvent.Failover, AlertEvent.Failback, AlertEvent.Restart, AlertEvent.Hold, AlertEvent.ConfigProblem], alert.Events.Order());
    }

    [Fact]
    public void Load_FullEntries_Loaded()
    {
        var settings = ConfigurationLoader.Load(Write($$"""
            [
              { "url": "{{SlackUrl}}", "format": "slack", "events": ["failover", "hold"] },
              { "url": "http://127.0.0.1:9000/hook", "format": "discord" },
              { "url": "http://[::1]:9000/hook", "format": "json", "events": ["config_problem"] }
            ]
            """)).Settings;

        Assert.Equal([AlertFormat.Slack, AlertFormat.Discord, AlertFormat.Json], settings.Alerts.Select(a => a.Format));
        Assert.Equal([AlertEvent.Failover, AlertEvent.Hold], settings.Alerts[0].Events.Order());
        Assert.Equal([AlertEvent.ConfigProblem], settings.Alerts[2].Events);
    }

    [Theory]
    [InlineData("http://hooks.example.com/services/SECRETPATH", "(given: http://hooks.example.com/…)")]
    [InlineData("ftp://hooks.example.com/SECRETPATH", "(given: ftp://hooks.example.com/…)")]
    [InlineData("hooks.example.com/SECRETPATH", "(not an absolute URL)")]
    public void Load_UrlNotHttpsNorLoopback_RejectedWithoutRepeatingThePath(string url, string shown)
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Write($$"""[ { "url": "{{url}}" } ]""")));

        var problem = Assert.Single(e.Problems);
        Assert.Equal($"$.alerts[0].url: must be an absolute https URL (http only to a loopback address) {shown}", problem);
        Assert.DoesNotContain("SECRETPATH", e.Message);
    }

    [Fact]
    public void Load_BadEntries_AllProblemsNamedByPath()
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Write($$"""
            [
              { "format": "teams" },
              { "url": "{{SlackUrl}}", "events": [] },
              { "url": "{{SlackUrl}}", "events": ["failover", "started"] },
              { "url": "{{SlackUrl}}", "channel": "#ops" }
            ]
            """)));

        Assert.Equal(
            [
                "$.alerts[3].channel: unknown key (known keys: url, format, events) (line 10)",
                "$.alerts[0].url: missing (the webhook URL)",
                "$.alerts[0].format: \"teams\" is not one of json, slack, discord",
                "$.alerts[1].events: must list at least one event (leave the key out for all: failover, failback, restart, hold, config_problem)",
                "$.alerts[2].events: \"started\" is not an event (use failover, failback, restart, hold, config_problem)",
            ],
            e.Problems);
        Assert.DoesNotContain("XXXXsecretXXXX", e.Message);
    }

    [Fact]
    public void Load_WebhooksInAFileOthersCanRead_Warns()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        var path = _dir.Write("tunnels.json", $$"""
            {
              "gateway_ip": "192.168.1.1",
              "tunnels": [ { "account_id": "0123456789abcdef0123456789abcdef", "tunnel_id": "6ff42ae2-765d-4adf-8112-31c55c1551ef", "token_file": "web.token", "service": "cloudflared-backup" } ],
              "alerts": [ { "url": "{{SlackUrl}}" } ]
            }
            """);
        var token = _dir.Write("web.token", "Zx9-secret-token-value-0001");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var warning = Assert.Single(ConfigurationLoader.Load(path).Warnings);

        Assert.StartsWith($"{path} holds webhook URLs (alerts) and is readable by group or others (mode 644)", warning);
    }

    [Fact]
    public void Load_AlertsNotAnArray_NamesTheType()
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Write($$"""{ "url": "{{SlackUrl}}" }""")));

        Assert.Contains("an array of alerts", Assert.Single(e.Problems));
    }

    private string Write(string? alerts) => _dir.Write("tunnels.json", $$"""
        {
          "gateway_ip": "192.168.1.1",
          "tunnels": [
            { "account_id": "0123456789abcdef0123456789abcdef", "tunnel_id": "6ff42ae2-765d-4adf-8112-31c55c1551ef", "token": "Zx9-secret-token-value-0001", "service": "cloudflared-backup" }
          ]{{(alerts is null ? "" : ",\n  \"alerts\": " + alerts)}}
        }
        """);
}
