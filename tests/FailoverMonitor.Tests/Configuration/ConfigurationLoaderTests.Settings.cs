using System.Net;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

/// <summary>What the loader makes of a valid file: the settings records, parsed, and the tokens apart from them.</summary>
public sealed partial class ConfigurationLoaderTests
{
    private const string OtherTunnelId = "6ff42ae2-765d-4adf-8112-31c55c1551e0";
    private const string OtherToken = "Zx9-secret-token-value-0002";
    private const string WebhookSecret = "XxXxSecretToken123";

    [Fact]
    public void Load_EveryKeyGiven_ParsedIntoTheRecordOfItsConcern()
    {
        var path = Write(extra: """
            "check_interval": 10, "failure_threshold": 4, "recovery_threshold": 5, "failover_on": ["degraded", "down"],
            "failback": "healthy", "confirm_delay": 0, "heartbeat_interval": 60, "min_action_interval": 5,
            "max_actions_per_hour": 3, "backup_connect_timeout": 90, "gateway_timeout": 0.5, "api_timeout": 2.5,
            "api_base_url": "https://api.example.com/client/v4", "log_file": "/tmp/fm.log", "log_max_size_mb": 0,
            "log_retained_files": 2, "state_file": "/tmp/fm-state.json", "metrics_listen": "[::1]:9464",
            "otlp_endpoint": "http://127.0.0.1:4318/custom",
            """);

        var settings = ConfigurationLoader.Load(path).Settings;

        Assert.Equal(new GatewaySettings { Address = IPAddress.Parse("192.168.1.1"), Timeout = TimeSpan.FromSeconds(0.5) }, settings.Gateway);
        var checks = settings.Checks;
        Assert.Equal(TimeSpan.FromSeconds(10), checks.CheckInterval);
        Assert.Equal((4, 5), (checks.FailureThreshold, checks.RecoveryThreshold));
        Assert.Equal([TunnelStatus.Degraded, TunnelStatus.Down], checks.FailoverOn);
        Assert.Equal("degraded,down", checks.FailoverOnWords());
        Assert.Equal(FailbackMode.Healthy, checks.Failback);
        Assert.Equal(TimeSpan.Zero, checks.ConfirmDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), checks.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), checks.MinActionInterval);
        Assert.Equal(3, checks.MaxActionsPerHour);
        Assert.Equal(TimeSpan.FromSeconds(90), checks.BackupConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), checks.RetryBase);
        Assert.Equal(new ApiSettings { BaseUrl = new Uri("https://api.example.com/client/v4/"), Timeout = TimeSpan.FromSeconds(2.5) }, settings.Api);
        Assert.Equal(new OutputSettings { LogFile = "/tmp/fm.log", LogMaxSizeMegabytes = 0, LogRetainedFiles = 2, StateFile = "/tmp/fm-state.json" }, settings.Output);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9464), settings.Telemetry.MetricsListen);
        Assert.Equal(new Uri("http://127.0.0.1:4318/custom"), settings.Telemetry.OtlpEndpoint);
    }

    [Fact]
    public void Load_Alerts_UrlFormatAndEventsParsed()
    {
        var path = Write(tail: $$"""
            , "alerts": [ { "url": "https://hooks.slack.com/services/T0/B0/{{WebhookSecret}}", "format": "discord", "events": ["restart", "config_problem"] } ]
            """);

        var alert = Assert.Single(ConfigurationLoader.Load(path).Settings.Alerts);

        Assert.Equal($"https://hooks.slack.com/services/T0/B0/{WebhookSecret}", alert.Url.OriginalString);
        Assert.Equal(AlertFormat.Discord, alert.Format);
        Assert.Equal([AlertEvent.Restart, AlertEvent.ConfigProblem], alert.Events);
    }

    [Fact]
    public void Load_Tokens_InTheTokenMapByTunnelNotInTheSettings()
    {
        _dir.Write("api.token", OtherToken);
        Chmod(Path.Combine(_dir.Path, "api.token"), "600");
        var path = Write(tunnel: $$"""
            { "name": "web", "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b" },
            { "name": "api", "account_id": "{{Account}}", "tunnel_id": "{{OtherTunnelId}}", "token_file": "api.token", "service": "c" }
            """);

        var loaded = ConfigurationLoader.Load(path);

        var (web, api) = (loaded.Settings.Tunnels[0], loaded.Settings.Tunnels[1]);
        Assert.Equal(2, loaded.Tokens.Count);
        Assert.Equal(Token, loaded.Tokens[web].Reveal());
        Assert.Equal(OtherToken, loaded.Tokens[api].Reveal());
        Assert.Equal(Token, loaded.Tokens[web with { TunnelId = TunnelId.ToUpperInvariant() }].Reveal());
        Assert.Equal("inline token of tunnel web", web.TokenSource);
        Assert.Equal("token_file api.token", api.TokenSource);
        Assert.Equal([["web"], ["api"]], loaded.Tokens.GroupByToken(loaded.Settings.Tunnels).Select(g => g.Select(t => t.Name)));
    }

    [Fact]
    public void ToString_LoadedConfigurationAndEveryRecord_NeverATokenNorTheWebhookSecret()
    {
        var path = Write(tail: $$"""
            , "alerts": [ { "url": "https://hooks.slack.com/services/T0/B0/{{WebhookSecret}}" } ]
            """);
        var loaded = ConfigurationLoader.Load(path);

        string[] printed =
        [
            loaded.ToString(), loaded.Settings.ToString(), loaded.Tokens.ToString(), loaded.Settings.Tunnels[0].ToString(),
            loaded.Settings.Alerts[0].ToString(), loaded.Tokens[loaded.Settings.Tunnels[0]].ToString(),
        ];

        Assert.All(printed, text =>
        {
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(WebhookSecret, text, StringComparison.Ordinal);
        });
        Assert.Contains("hooks.slack.com", loaded.Settings.Alerts[0].ToString(), StringComparison.Ordinal);
        Assert.Equal("TunnelTokens { Count = 1 }", loaded.Tokens.ToString());
    }

    /// <summary>The token of the <paramref name="index"/>th tunnel of <paramref name="loaded"/>.</summary>
    private static string TokenOf(LoadedConfiguration loaded, int index = 0) => loaded.Tokens[loaded.Settings.Tunnels[index]].Reveal();
}
