using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;
using FakeCloudflareApi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>The start-up checks against the fake Cloudflare API over loopback and an in-memory systemd.</summary>
public sealed class StartupChecksTests : IAsyncLifetime
{
    // Event ids of Logging/Log.cs that these tests assert on.
    private const int ConfigurationWarning = 9;
    private const int UnitMissing = 37;
    private const int TokenVerified = 44;
    private const int TokenUnusable = 45;
    private const int TokenUnverified = 46;

    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string OtherAccount = "fedcba9876543210fedcba9876543210";
    private const string Secret = "cf-startup-secret-Wd3Jk";
    private const string OtherSecret = "cf-startup-other-Lp8Qe";

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeUnits _units = new();
    private readonly FakeLogCollector _logs = new();
    private VerifierRig _rig = null!;
    private SystemctlServiceController _controller = null!;
    private StartupChecks _checks = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _rig = await VerifierRig.StartAsync(_clock, Ct);
        _rig.Api.AddTunnel(Account, "11111111-0000-0000-0000-000000000001", "web0", Secret);
        _rig.Api.AddTunnel(Account, "11111111-0000-0000-0000-000000000002", "web1", Secret);
        _rig.Api.AddTunnel(OtherAccount, "22222222-0000-0000-0000-000000000001", "api0", OtherSecret);
        _controller = new SystemctlServiceController(_units.Runner, new SystemctlUnitStateReader(_units.Runner));
        _checks = new StartupChecks(_rig.Verifier, _controller, _logs.CreateFactory().CreateLogger<StartupChecks>());
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task RunAsync_TokenSharedByTwoTunnels_VerifiedOnceAndNamed()
    {
        await RunAsync(Tunnel("web0", Account, Secret), Tunnel("web1", Account, Secret));

        Assert.Equal(1, _rig.Api.CountRequests(r => r.Path.EndsWith("/tokens/verify", StringComparison.Ordinal)));
        var verified = Assert.Single(_logs.WithId(TokenVerified));
        Assert.Equal(LogLevel.Information, verified.Level);
        Assert.Equal("API token of tunnel(s) web0, web1: active", verified.Message);
        Assert.Empty(_logs.WithId(TokenUnusable));
    }

    [Fact]
    public async Task RunAsync_TwoTokens_EachVerified()
    {
        await RunAsync(Tunnel("web0", Account, Secret), Tunnel("api0", OtherAccount, OtherSecret));

        Assert.Equal(2, _logs.WithId(TokenVerified).Count);
        Assert.Equal([OtherSecret, Secret], _rig.Api.Requests.Select(r => r.Token).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_TokenCloudflareDoesNotKnow_ErrorNamingTheTunnelsNeverTheToken()
    {
        const string wrong = "cf-startup-wrong-Mm1Xx";

        await RunAsync(Tunnel("web0", Account, wrong));

        var error = Assert.Single(_logs.WithId(TokenUnusable));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.StartsWith("API token of tunnel(s) web0 is not usable: HTTP 401", error.Message);
        Assert.Contains("Cloudflare Tunnel › Read", error.Message);
        Assert.DoesNotContain(wrong, error.Message);
        Assert.Empty(_logs.WithId(TokenVerified));

        // The account endpoint first (account-owned tokens), then the user endpoint (user tokens).
        Assert.Equal([$"/client/v4/accounts/{Account}/tokens/verify", "/client/v4/user/tokens/verify"], _rig.Api.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task RunAsync_ApiAnswersGarbage_WarningThatItCouldNotVerify()
    {
        _rig.Api.InjectFault(new FakeFault(FaultKind.NotJson));

        await RunAsync(Tunnel("web0", Account, Secret));

        var warning = Assert.Single(_logs.WithId(TokenUnverified));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith("API token of tunnel(s) web0 could not be verified at start-up:", warning.Message);
        Assert.Empty(_logs.WithId(TokenUnusable));
    }

    [Fact]
    public async Task RunAsync_UnitSystemdDoesNotKnow_ErrorNamingTheUnit()
    {
        _units.Missing.Add("cloudflared-web1");

        await RunAsync(Tunnel("web0", Account, Secret), Tunnel("web1", Account, Secret));

        var missing = Assert.Single(_logs.WithId(UnitMissing));
        Assert.Equal(LogLevel.Error, missing.Level);
        Assert.StartsWith("Tunnel web1: local service cloudflared-web1 does not exist (systemd LoadState=not-found)", missing.Message);
        Assert.Equal(1, _units.Count("show")); // every unit read in one call
    }

    [Fact]
    public async Task RunAsync_ConfigurationWarnings_EachLogged()
    {
        var checks = new StartupChecks(_rig.Verifier, _controller, _logs.CreateFactory().CreateLogger<StartupChecks>(),
            ["/etc/failover-monitor/web.token holds an API token and is readable by group or others (mode 644)"]);

        var web0 = Tunnel("web0", Account, Secret);
        await checks.RunAsync([web0.Tunnel], TestSettings.Tokens(web0), Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var warning = Assert.Single(_logs.WithId(ConfigurationWarning));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("readable by group or others", warning.Message);
    }

    private Task RunAsync(params (TunnelSettings Tunnel, string Token)[] tunnels) =>
        _checks.RunAsync([.. tunnels.Select(t => t.Tunnel)], TestSettings.Tokens(tunnels), Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

    private static (TunnelSettings Tunnel, string Token) Tunnel(string name, string account, string token) => (TestSettings.Tunnel(name, account: account), token);
}
