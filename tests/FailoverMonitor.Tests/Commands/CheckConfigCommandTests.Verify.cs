using FailoverMonitor.Commands;
using FailoverMonitor.Tests.TestSupport;
using FakeCloudflareApi;

namespace FailoverMonitor.Tests.Commands;

// A valid file, and token verification against the fake Cloudflare API on loopback (or a port nobody listens on).
public sealed partial class CheckConfigCommandTests
{
    private const string Secret = "check-config-secret-Hy6Tq";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_ValidConfigWithoutVerify_Exit0WithSettingsTunnelTableAndBudgetNeverTheToken()
    {
        var path = ValidConfig("https://api.cloudflare.com/client/v4/");

        var (exit, output) = await RunAsync(path, verify: false);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains($"Configuration {path} is valid.", output, StringComparison.Ordinal);
        Assert.Contains("gateway 192.168.1.1, check_interval 3 s, failure_threshold 2, recovery_threshold 3", output, StringComparison.Ordinal);
        Assert.Matches(@"\nTUNNEL +TUNNEL ID +ACCOUNT +SERVICE +TOKEN FROM +BACKUP METRICS\n", output);
        Assert.Matches($@"\nweb +{TunnelId} +{Account} +cloudflared-backup +inline token of tunnel web +-\n", output);
        Assert.Matches(@"  token of web: [0-9]+ per 5 min, up to [0-9]+ with every backup active", output);
        Assert.DoesNotContain("Token verification", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_VerifyTokenTheApiKnows_Exit0Active()
    {
        await using var api = await FakeCloudflare.StartAsync(ct: Ct);
        api.AddTunnel(Account, TunnelId, "web", Secret);

        var (exit, output) = await RunAsync(ValidConfig(api.BaseUrl.ToString()), verify: true);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("  token of web: active", output, StringComparison.Ordinal);
        Assert.Equal(Secret, Assert.Single(api.Requests, r => r.Path.EndsWith("/tokens/verify", StringComparison.Ordinal)).Token);
    }

    [Fact]
    public async Task RunAsync_VerifyTokenTheApiRejects_Exit78RejectedNeverTheToken()
    {
        await using var api = await FakeCloudflare.StartAsync(ct: Ct);
        api.AddTunnel(Account, TunnelId, "web", "another-token-Bn2Wx");

        var (exit, output) = await RunAsync(ValidConfig(api.BaseUrl.ToString()), verify: true);

        Assert.Equal(ExitCodes.Configuration, exit);
        Assert.Contains("  token of web: REJECTED: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_VerifyWithApiUnreachable_Exit0NotVerified()
    {
        var (exit, output) = await RunAsync(ValidConfig($"http://127.0.0.1:{LoopbackPort.Unused()}/client/v4/", apiTimeout: 0.5), verify: true);

        Assert.Equal(ExitCodes.Ok, exit); // an API that cannot be reached says nothing about the file
        Assert.Contains("  token of web: not verified, API not reachable: ", output, StringComparison.Ordinal);
    }

    // api_timeout 0.5 s only where nothing listens: a refused connection fails at once, and the retries end sooner.
    private string ValidConfig(string apiBaseUrl, double apiTimeout = 5) => _dir.Write("valid.json", $$"""
        { "gateway_ip": "192.168.1.1", "api_base_url": "{{apiBaseUrl}}", "api_timeout": {{apiTimeout}},
          "tunnels": [ { "name": "web", "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Secret}}", "service": "cloudflared-backup" } ] }
        """);

    private static async Task<(int Exit, string Output)> RunAsync(string path, bool verify)
    {
        using var output = new StringWriter { NewLine = "\n" };
        var exit = await CheckConfigCommand.RunAsync(path, verify, output, Ct).WaitAsync(FakeTimeProvider.DefaultWait, Ct);
        return (exit, output.ToString());
    }
}
