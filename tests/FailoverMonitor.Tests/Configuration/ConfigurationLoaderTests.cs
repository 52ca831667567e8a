using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string TunnelId = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
    private const string Token = "Zx9-secret-token-value-0001";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_OriginalFormat_LoadsUnchangedWithDefaults()
    {
        // The Python original's file: only gateway_ip, check_interval and the four tunnel keys.
        var path = _dir.Write("tunnels.json", $$"""
            {
              "gateway_ip": "192.168.1.1",
              "check_interval": 3,
              "tunnels": [
                { "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "cloudflared_1" }
              ]
            }
            """);

        var options = ConfigurationLoader.Load(path);

        Assert.Equal("192.168.1.1", options.GatewayIp);
        Assert.Equal(3, options.CheckInterval);
        Assert.Equal(MonitorOptions.DefaultFailureThreshold, options.FailureThreshold);
        Assert.Equal(MonitorOptions.DefaultRecoveryThreshold, options.RecoveryThreshold);
        Assert.Equal(["down", "inactive"], options.FailoverOn);
        Assert.Equal(FailbackModes.SecondConnector, options.Failback);
        Assert.Equal(MonitorOptions.DefaultLogFile, options.LogFile);
        Assert.Equal(MonitorOptions.DefaultApiBaseUrl, options.ApiBaseUrl);
        var tunnel = Assert.Single(options.Tunnels);
        Assert.Equal("cloudflared_1", tunnel.Service);
        Assert.Equal(TunnelId, tunnel.DisplayName);
        Assert.Equal(Token, tunnel.ResolvedToken!.Reveal());
    }

    [Fact]
    public void Load_TunnelNameWhereIdBelongs_NamesFileFieldAndProblem()
    {
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "my-web-tunnel", "token": "{{Token}}", "service": "cloudflared-backup" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("$.tunnels[0].tunnel_id:", problem);
        Assert.Contains("\"my-web-tunnel\" is not a UUID", problem);
    }

    [Theory]
    [InlineData("your_cloudflare_account_id_1")]
    [InlineData("0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    public void Load_AccountIdNot32Hex_IsRejected(string accountId)
    {
        var path = Write(tunnel: $$"""{ "account_id": "{{accountId}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal($"$.tunnels[0].account_id: \"{accountId}\" is not 32 hexadecimal characters", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_UnknownKeys_AreNamedWithTheirPath()
    {
        var path = _dir.Write("tunnels.json", $$"""
            { "gateway_ip": "192.168.1.1", "chek_interval": 3,
              "tunnels": [ { "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b", "servce": "x" } ] }
            """);

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal(2, e.Problems.Count);
        Assert.StartsWith("$.chek_interval: unknown key", e.Problems[0]);
        Assert.Contains("check_interval", e.Problems[0]);
        Assert.StartsWith("$.tunnels[0].servce: unknown key", e.Problems[1]);
    }

    [Fact]
    public void Load_MissingToken_IsRejected()
    {
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal("$.tunnels[0].token: missing (give token, token_file or token_credential)", Assert.Single(e.Problems));
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("0")]
    [InlineData("-3")]
    public void Load_IntervalBelowOneSecond_IsRejected(string interval)
    {
        var path = Write(extra: $"\"check_interval\": {interval},");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.StartsWith("$.check_interval:", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_ManyProblems_AreAllReportedTogether()
    {
        var path = _dir.Write("tunnels.json", """
            { "gateway_ip": "192.168.1", "check_interval": 0.5, "failure_threshold": 0, "failback": "sometimes",
              "failover_on": ["healthy"], "api_base_url": "http://api.example.com/", "log_file": "relative.log", "bogus": true,
              "tunnels": [ { "account_id": "x", "tunnel_id": "web", "service": "--now", "backup_metrics": "nope" } ] }
            """);

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        string[] fields =
        [
            "$.bogus", "$.gateway_ip", "$.check_interval", "$.failure_threshold", "$.failover_on", "$.failback", "$.api_base_url",
            "$.log_file", "$.tunnels[0].account_id", "$.tunnels[0].tunnel_id", "$.tunnels[0].service", "$.tunnels[0].token",
            "$.tunnels[0].backup_metrics",
        ];
        foreach (var field in fields)
        {
            Assert.Contains(e.Problems, p => p.StartsWith(field + ":", StringComparison.Ordinal));
        }

        Assert.Equal(fields.Length, e.Problems.Count);
    }

    [Fact]
    public void Load_NotJson_SaysWhere()
    {
        var path = _dir.Write("tunnels.json", "{ \"gateway_ip\": \"192.168.1.1\",\n  \"check_interval\": 3\n  \"tunnels\": [] }");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("$: not valid JSON", problem);
        Assert.Contains("LineNumber: 2", problem);
    }

    [Fact]
    public void Load_WrongValueType_NamesFieldAndExpectedType()
    {
        var path = Write(extra: "\"check_interval\": \"3\",");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal("$.check_interval: wrong type of value: The JSON value could not be converted to a number.", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_MissingFile_SaysItCannotBeRead()
    {
        var path = System.IO.Path.Combine(_dir.Path, "absent.json");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.StartsWith("$: cannot read the file:", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_TokenFile_ReadsAndTrimsTheToken()
    {
        _dir.Write("web.token", Token + "\n");
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_file": "web.token", "service": "b" }""");

        var options = ConfigurationLoader.Load(path);

        Assert.Equal(Token, options.Tunnels[0].ResolvedToken!.Reveal());
    }

    [Fact]
    public void Load_TokenAndTokenFile_IsRejected()
    {
        _dir.Write("web.token", Token);
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "token_file": "web.token", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal("$.tunnels[0].token: give only one of token, token_file and token_credential", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_UnreadableTokenFile_NamesTheFile()
    {
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_file": "missing.token", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.StartsWith($"$.tunnels[0].token_file: cannot read {System.IO.Path.Combine(_dir.Path, "missing.token")}", Assert.Single(e.Problems));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/client/v4/", true)]
    [InlineData("http://[::1]:8080/client/v4/", true)]
    [InlineData("https://api.cloudflare.com/client/v4/", true)]
    [InlineData("http://api.cloudflare.com/client/v4/", false)]
    [InlineData("ftp://127.0.0.1/", false)]
    [InlineData("api.cloudflare.com", false)]
    public void Load_ApiBaseUrl_HttpsOrLoopbackOnly(string url, bool accepted)
    {
        var path = Write(extra: $"\"api_base_url\": \"{url}\",");

        var problems = Record.Exception(() => ConfigurationLoader.Load(path)) is ConfigurationException e ? e.Problems : [];

        Assert.Equal(accepted, problems.Count == 0);
    }

    [Fact]
    public void Load_DuplicateTunnelAndService_AreRejected()
    {
        var one = $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b" }""";
        var path = Write(tunnel: one + "," + one);

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Contains(e.Problems, p => p.StartsWith("$.tunnels[1].tunnel_id: same tunnel as $.tunnels[0]", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("$.tunnels[1].service:", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_Problems_NeverContainTheToken()
    {
        var path = _dir.Write("tunnels.json", $$"""
            { "gateway_ip": "x", "tunnels": [ { "account_id": "{{Token}}x", "tunnel_id": "{{Token}}", "token": "{{Token}}", "token_file": "t", "service": "b" } ] }
            """.Replace($"\"account_id\": \"{Token}x\"", "\"account_id\": \"bad\"").Replace($"\"tunnel_id\": \"{Token}\"", "\"tunnel_id\": \"bad\""));

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.NotEmpty(e.Problems);
        Assert.DoesNotContain(Token, e.ToString());
    }

    [Fact]
    public void Load_ShippedExample_HasOnlyKnownKeys_AndRejectsJustItsPlaceholders()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(directory.FullName, "FailoverMonitor.sln")))
        {
            directory = directory.Parent ?? throw new InvalidOperationException("repository root not found");
        }

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(System.IO.Path.Combine(directory.FullName, "tunnels.example.json")));

        Assert.Equal(["$.tunnels[0].account_id", "$.tunnels[0].tunnel_id"], e.Problems.Select(p => p[..p.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public void ApiToken_ToString_HidesTheSecret()
    {
        var token = new ApiToken(Token);

        Assert.DoesNotContain(Token, token.ToString());
        Assert.DoesNotContain(Token, $"{token}");
        Assert.Equal(Token, token.Reveal());
    }

    [Fact]
    public void ResolvePath_CommandLineWinsOverEnvironmentAndDefault()
    {
        Assert.Equal("/etc/x.json", ConfigurationLoader.ResolvePath("/etc/x.json"));
        Assert.Equal(
            Environment.GetEnvironmentVariable(ConfigurationLoader.PathVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : MonitorOptions.DefaultConfigPath,
            ConfigurationLoader.ResolvePath(null));
    }

    private string Write(string? tunnel = null, string extra = "") =>
        _dir.Write("tunnels.json", $$"""
            { {{extra}} "gateway_ip": "192.168.1.1",
              "tunnels": [ {{tunnel ?? $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b" }"""}} ] }
            """);
}
