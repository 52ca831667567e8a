using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;
using FakeCloudflareApi;

namespace FailoverMonitor.Tests.Cloudflare;

/// <summary><see cref="TokenVerifier"/> against the fake Cloudflare API over loopback: one check per token, each with its verdict.</summary>
public sealed class TokenVerifierTests : IAsyncLifetime
{
    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string OtherAccount = "fedcba9876543210fedcba9876543210";
    private const string Secret = "cf-verifier-secret-Qa7Zr";
    private const string OtherSecret = "cf-verifier-other-Tn2Yw";

    private readonly FakeTimeProvider _clock = new();
    private VerifierRig _rig = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _rig = await VerifierRig.StartAsync(_clock, Ct);
        _rig.Api.AddTunnel(Account, "11111111-0000-0000-0000-000000000001", "web0", Secret);
        _rig.Api.AddTunnel(OtherAccount, "22222222-0000-0000-0000-000000000001", "api0", OtherSecret);
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task VerifyAsync_TwoTunnelsOneTokenAndAnother_OneActiveCheckPerTokenInOrder()
    {
        var checks = await VerifyAsync(Tunnel("web0", Account, Secret), Tunnel("api0", OtherAccount, OtherSecret), Tunnel("web1", Account, Secret));

        Assert.Equal(["web0, web1", "api0"], checks.Select(c => c.Tunnels));
        Assert.All(checks, c => Assert.Equal(TokenVerdict.Active, c.Verdict));
        Assert.All(checks, c => Assert.Equal("active", c.Verification?.Status));
        Assert.Equal(2, _rig.Api.CountRequests(r => r.Path.EndsWith("/tokens/verify", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task VerifyAsync_TokenCloudflareDoesNotKnow_RejectedWithoutTheToken()
    {
        const string wrong = "cf-verifier-wrong-Ue4Pk";

        var check = Assert.Single(await VerifyAsync(Tunnel("web0", Account, wrong)));

        Assert.Equal(TokenVerdict.Rejected, check.Verdict);
        Assert.StartsWith("HTTP 401", check.Problem);
        Assert.DoesNotContain(wrong, check.Problem);
        Assert.Null(check.Verification);
    }

    [Fact]
    public async Task VerifyAsync_ApiAnswersGarbage_Unverified()
    {
        _rig.Api.InjectFault(new FakeFault(FaultKind.NotJson));

        var check = Assert.Single(await VerifyAsync(Tunnel("web0", Account, Secret)));

        Assert.Equal(TokenVerdict.Unverified, check.Verdict);
        Assert.False(string.IsNullOrEmpty(check.Problem));
    }

    private async Task<IReadOnlyList<TokenCheck>> VerifyAsync(params (TunnelSettings Tunnel, string Token)[] tunnels) =>
        await _rig.Verifier.VerifyAsync(tunnels.Select(t => t.Tunnel), TestSettings.Tokens(tunnels), timeout: null, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

    private static (TunnelSettings Tunnel, string Token) Tunnel(string name, string account, string token) => (TestSettings.Tunnel(name, account: account), token);
}
