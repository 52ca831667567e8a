using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Configuration;

// Some tests set $CREDENTIALS_DIRECTORY: the class runs alone so no other test sees it.
[Collection(EnvironmentCollection.Name)]
public sealed partial class ConfigurationLoaderTests : IDisposable
{
    private const string CredentialsDirectory = "CREDENTIALS_DIRECTORY";
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

        var loaded = ConfigurationLoader.Load(path);

        var settings = loaded.Settings;
        Assert.Equal(System.Net.IPAddress.Parse("192.168.1.1"), settings.Gateway.Address);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.Checks.CheckInterval);
        Assert.Equal(CheckSettings.DefaultFailureThreshold, settings.Checks.FailureThreshold);
        Assert.Equal(CheckSettings.DefaultRecoveryThreshold, settings.Checks.RecoveryThreshold);
        Assert.Equal([TunnelStatus.Down, TunnelStatus.Inactive], settings.Checks.FailoverOn);
        Assert.Equal(FailbackMode.SecondConnector, settings.Checks.Failback);
        Assert.Equal(OutputSettings.DefaultLogFile, settings.Output.LogFile);
        Assert.Equal(ApiSettings.DefaultBaseUrl, settings.Api.BaseUrl);
        var tunnel = Assert.Single(settings.Tunnels);
        Assert.Equal("cloudflared_1", tunnel.Service);
        Assert.Equal(TunnelId, tunnel.Name);
        Assert.Equal(Token, TokenOf(loaded));
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
    public void Load_KeyNamedLikeAComputedProperty_UnknownAndNotListedAsKnown()
    {
        var path = _dir.Write("tunnels.json", $$"""
            { "gateway_ip": "192.168.1.1",
              "tunnels": [ { "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b", "display_name": "x" } ] }
            """);

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("$.tunnels[0].display_name: unknown key (known keys: ", problem);
        Assert.Contains("tunnel_id", problem);
        Assert.DoesNotContain("display_name,", problem);
        Assert.DoesNotContain("token_source", problem);
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
        Assert.Equal("$: not valid JSON at line 3, column 3: expected a comma, } or ] (a missing comma? a string without quotes?)", problem);
    }

    [Fact]
    public void Load_WrongValueType_NamesFieldAndExpectedType()
    {
        var path = Write(extra: "\"check_interval\": \"3\",");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal("$.check_interval: expected a number, got a string (line 1)", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_MissingFile_SaysItCannotBeRead()
    {
        var path = System.IO.Path.Combine(_dir.Path, "absent.json");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal($"$: cannot read {path}: no such file", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_TokenFile_ReadsAndTrimsTheToken()
    {
        _dir.Write("web.token", Token + "\n");
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_file": "web.token", "service": "b" }""");

        Assert.Equal(Token, TokenOf(ConfigurationLoader.Load(path)));
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
    public void ResolvePath_CommandLineWinsOverEnvironmentAndDefault()
    {
        Assert.Equal("/etc/x.json", ConfigurationLoader.ResolvePath("/etc/x.json"));
        Assert.Equal(
            Environment.GetEnvironmentVariable(ConfigurationLoader.PathVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : MonitorSettings.DefaultConfigPath,
            ConfigurationLoader.ResolvePath(null));
    }

    // ---- flap guard, restart and confirmation keys ----

    [Fact]
    public void Load_NewKeysOmitted_Defaults()
    {
        var checks = ConfigurationLoader.Load(Write()).Settings.Checks;

        Assert.Equal(TimeSpan.FromSeconds(30), checks.MinActionInterval);
        Assert.Equal(10, checks.MaxActionsPerHour);
        Assert.Equal(TimeSpan.FromSeconds(60), checks.BackupConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), checks.ConfirmDelay);
    }

    [Theory]
    [InlineData("min_action_interval", "-1", false)]
    [InlineData("min_action_interval", "0", true)]
    [InlineData("min_action_interval", "3600", true)]
    [InlineData("min_action_interval", "3601", false)]
    [InlineData("max_actions_per_hour", "0", false)]
    [InlineData("max_actions_per_hour", "1", true)]
    [InlineData("max_actions_per_hour", "1000", true)]
    [InlineData("max_actions_per_hour", "1001", false)]
    [InlineData("backup_connect_timeout", "4.9", false)]
    [InlineData("backup_connect_timeout", "5", true)]
    [InlineData("backup_connect_timeout", "3600", true)]
    [InlineData("backup_connect_timeout", "3601", false)]
    [InlineData("confirm_delay", "-0.5", false)]
    [InlineData("confirm_delay", "0", true)]
    [InlineData("confirm_delay", "60", true)]
    [InlineData("confirm_delay", "60.5", false)]
    public void Load_NewKeys_RangeChecked(string key, string value, bool accepted)
    {
        var path = Write(extra: $"\"{key}\": {value},");

        var problems = Record.Exception(() => ConfigurationLoader.Load(path)) is ConfigurationException e ? e.Problems : [];

        if (accepted)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.StartsWith($"$.{key}: {value} is out of range:", Assert.Single(problems));
        }
    }

    [Fact]
    public void Load_MaxActionsPerHourNotWhole_NamesTheType()
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Write(extra: "\"max_actions_per_hour\": 2.5,")));

        Assert.Equal("$.max_actions_per_hour: expected a whole number, got 2.5 (line 1)", Assert.Single(e.Problems));
    }

    // ---- API budget ----

    [Fact]
    public void Load_BudgetOverTheLimit_RefusedWithTheSmallestSafeInterval()
    {
        var tunnels = string.Join(",", Enumerable.Range(0, 13).Select(i =>
            $$"""{ "account_id": "{{i.ToString("x32")}}", "tunnel_id": "{{Guid.NewGuid()}}", "token": "{{Token}}", "service": "b{{i}}" }"""));

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Write(tunnel: tunnels, extra: "\"check_interval\": 3,")));

        Assert.EndsWith("use check_interval 4 or more", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_BudgetOverHalfTheLimitAtWorst_Warning()
    {
        var tunnels = string.Join(",", Enumerable.Range(0, 6).Select(i =>
            $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{Guid.NewGuid()}}", "token": "{{Token}}", "service": "b{{i}}" }"""));

        var loaded = ConfigurationLoader.Load(Write(tunnel: tunnels));

        Assert.Contains(loaded.Warnings, w => w.Contains("up to 700 with every backup active", StringComparison.Ordinal));
    }

    // ---- token_credential ----

    [Fact]
    public void Load_TokenCredential_ReadsCredentialsDirectory()
    {
        using var credentials = new TempDirectory();
        credentials.Write("cf-web", Token + "\n");
        using var variable = EnvironmentVariable.Set(CredentialsDirectory, credentials.Path);
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_credential": "cf-web", "service": "b" }""");

        Assert.Equal(Token, TokenOf(ConfigurationLoader.Load(path)));
    }

    [Fact]
    public void Load_TokenCredentialWithoutCredentialsDirectory_ProblemSaysHowToProvideIt()
    {
        using var variable = EnvironmentVariable.Set(CredentialsDirectory, null);
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_credential": "cf-web", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal("$.tunnels[0].token_credential: $CREDENTIALS_DIRECTORY is not set (give the unit LoadCredential=cf-web:/path/to/token)", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_TokenCredentialMissingFromTheDirectory_NamesTheFile()
    {
        using var credentials = new TempDirectory();
        using var variable = EnvironmentVariable.Set(CredentialsDirectory, credentials.Path);
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_credential": "cf-web", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.StartsWith($"$.tunnels[0].token_credential: cannot read {System.IO.Path.Combine(credentials.Path, "cf-web")}", Assert.Single(e.Problems));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/b")]
    public void Load_TokenCredentialNotAName_IsRejected(string name)
    {
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_credential": "{{name}}", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Contains(e.Problems, p => p.StartsWith($"$.tunnels[0].token_credential: \"{name}\" is not a credential name", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_TokenFileAndTokenCredential_IsRejected()
    {
        _dir.Write("web.token", Token);
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_file": "web.token", "token_credential": "cf-web", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Contains("$.tunnels[0].token: give only one of token, token_file and token_credential", e.Problems);
    }

    // ---- file permissions ----

    [Fact]
    public void Load_TokenFileReadableByOthers_WarningNamingTheFile()
    {
        var tokenFile = _dir.Write("web.token", Token);
        Chmod(tokenFile, "644");
        var path = WriteWithTokenFile();

        var loaded = ConfigurationLoader.Load(path);

        Assert.Equal(Token, TokenOf(loaded));
        var warning = Assert.Single(loaded.Warnings);
        Assert.StartsWith($"{tokenFile} holds an API token and is readable by group or others (mode 644)", warning);
        Assert.Contains($"chmod 600 {tokenFile}", warning);
        Assert.DoesNotContain(Token, warning);
    }

    [Fact]
    public void Load_TokenFileMode600_NoWarning()
    {
        Chmod(_dir.Write("web.token", Token), "600");

        Assert.Empty(ConfigurationLoader.Load(WriteWithTokenFile()).Warnings);
    }

    [Fact]
    public void Load_TokenFileWritableByOthers_RefusedNamingTheFile()
    {
        var tokenFile = _dir.Write("web.token", Token);
        Chmod(tokenFile, "666");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(WriteWithTokenFile()));

        Assert.Equal($"$.tunnels[0].token_file: {tokenFile} is writable by others (mode 666); refusing it: chmod 600 {tokenFile}", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_ConfigFileWritableByOthers_RefusedNamingTheFile()
    {
        var path = Write();
        Chmod(path, "646");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.StartsWith($"$: {path} is writable by others (mode 646)", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_ConfigFileWithInlineTokenReadableByOthers_Warning()
    {
        var path = Write();
        Chmod(path, "644");

        Assert.StartsWith($"{path} holds an API token and is readable by group or others (mode 644)", Assert.Single(ConfigurationLoader.Load(path).Warnings));
    }

    [Fact]
    public void Load_ConfigFileWithoutInlineTokenReadableByOthers_NoWarning()
    {
        Chmod(_dir.Write("web.token", Token), "600");
        var path = WriteWithTokenFile();
        Chmod(path, "644");

        Assert.Empty(ConfigurationLoader.Load(path).Warnings);
    }

    private string WriteWithTokenFile()
    {
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_file": "web.token", "service": "b" }""");
        Chmod(path, "600");
        return path;
    }

    /// <summary>Sets a Unix file mode given in octal; skips the test where there are none.</summary>
    private static void Chmod(string path, string octal)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));
        }
    }

    private string Write(string? tunnel = null, string extra = "", string? tail = null) =>
        _dir.Write("tunnels.json", $$"""
            { {{extra}} "gateway_ip": "192.168.1.1",
              "tunnels": [ {{tunnel ?? $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b" }"""}} ] {{tail}} }
            """);
}
