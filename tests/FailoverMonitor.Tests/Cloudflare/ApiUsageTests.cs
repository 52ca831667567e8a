using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Cloudflare;

public sealed class ApiUsageTests
{
    private const string Secret = "cf-usage-secret-Hq4Zr";
    private readonly FakeTimeProvider _clock = new();
    private readonly ApiUsage _usage;
    private readonly ApiToken _token = new(Secret);

    public ApiUsageTests() => _usage = new ApiUsage(_clock);

    [Fact]
    public void EnsureAllowed_NeverBlocked_Allows()
    {
        _usage.EnsureAllowed(_token);

        Assert.Null(_usage.BlockedUntil(_token));
    }

    [Fact]
    public void Block_WithRetryAfter_RefusedUntilItPasses()
    {
        _usage.Block(_token, TimeSpan.FromSeconds(30));
        _clock.Advance(TimeSpan.FromSeconds(10));

        var e = Assert.Throws<CloudflareApiException>(() => _usage.EnsureAllowed(_token));

        Assert.Equal(ApiFailureKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(20), e.RetryAfter);
        Assert.Equal("rate limited by Cloudflare (429) until 00:00:30 UTC; no request sent for this token until then", e.Message);
        Assert.False(e.IsConfigurationProblem);

        _clock.Advance(TimeSpan.FromSeconds(20));
        _usage.EnsureAllowed(_token);
        Assert.Null(_usage.BlockedUntil(_token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(-5)]
    public void Block_WithoutUsableRetryAfter_FiveMinutes(int? seconds)
    {
        _usage.Block(_token, seconds is { } s ? TimeSpan.FromSeconds(s) : null);

        Assert.Equal(FakeTimeProvider.Start + ApiUsage.DefaultLockout, _usage.BlockedUntil(_token));
        Assert.Equal(TimeSpan.FromMinutes(5), ApiUsage.DefaultLockout);
    }

    [Fact]
    public void Block_ShorterRetryAfterLater_NeverShortensTheLockout()
    {
        _usage.Block(_token, TimeSpan.FromSeconds(60));
        _clock.Advance(TimeSpan.FromSeconds(1));

        _usage.Block(_token, TimeSpan.FromSeconds(5));

        Assert.Equal(FakeTimeProvider.Start + TimeSpan.FromSeconds(60), _usage.BlockedUntil(_token));
    }

    [Fact]
    public void Block_LongerRetryAfterLater_ExtendsTheLockout()
    {
        _usage.Block(_token, TimeSpan.FromSeconds(5));

        _usage.Block(_token, TimeSpan.FromSeconds(60));

        Assert.Equal(FakeTimeProvider.Start + TimeSpan.FromSeconds(60), _usage.BlockedUntil(_token));
    }

    [Fact]
    public void Block_SameTokenReadForAnotherTunnel_SharesTheLockout()
    {
        // Each tunnel's options hold their own ApiToken instance: the lock-out follows the value.
        _usage.Block(_token, TimeSpan.FromSeconds(30));

        Assert.Throws<CloudflareApiException>(() => _usage.EnsureAllowed(new ApiToken(Secret)));
        _usage.EnsureAllowed(new ApiToken("cf-another-token-Vb2"));
    }

    [Fact]
    public void CountRequest_CountedPerTokenValue()
    {
        _usage.CountRequest(_token);
        _usage.CountRequest(new ApiToken(Secret));
        _usage.CountRequest(new ApiToken("cf-another-token-Vb2"));

        Assert.Equal(2, _usage.RequestsSent(_token));
        Assert.Equal(1, _usage.RequestsSent(new ApiToken("cf-another-token-Vb2")));
        Assert.Equal(0, _usage.RequestsSent(new ApiToken("cf-unused-token-Pp0")));
    }
}
