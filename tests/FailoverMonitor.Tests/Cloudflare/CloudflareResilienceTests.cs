using System.Net;
using System.Net.Http.Headers;
using FailoverMonitor.Cloudflare;

namespace FailoverMonitor.Tests.Cloudflare;

/// <summary>
/// <see cref="CloudflareResilience.RetryAfter"/>. The pipeline itself (retries, delays, timeouts) is exercised
/// end to end in <see cref="CloudflareTunnelClientTests"/>.
/// </summary>
public sealed class CloudflareResilienceTests
{
    [Fact]
    public void RetryAfter_DeltaSeconds_ThatDelay()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), CloudflareResilience.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_HttpDateWithDateHeader_DifferenceBetweenThem()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        var sent = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        response.Headers.Date = sent;
        response.Headers.RetryAfter = new RetryConditionHeaderValue(sent.AddMinutes(5));

        Assert.Equal(TimeSpan.FromMinutes(5), CloudflareResilience.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_NoHeader_Null()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Null(CloudflareResilience.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_DateInYear9999_CappedAtMaxRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Date = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero));

        Assert.Equal(TimeSpan.FromHours(1), CloudflareResilience.MaxRetryAfter);
        Assert.Equal(CloudflareResilience.MaxRetryAfter, CloudflareResilience.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_HugeDeltaSeconds_CappedAtMaxRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "2147483647");

        Assert.Equal(CloudflareResilience.MaxRetryAfter, CloudflareResilience.RetryAfter(response));
    }

    [Theory]
    [InlineData("-30")]
    [InlineData("soon")]
    [InlineData("99999999999999999999999")]
    [InlineData("Thu, 01 Jan 1970 00:00:00 GMT")]
    [InlineData("0")]
    public void RetryAfter_NegativeGarbageOrPast_Null(string value)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Date = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        response.Headers.TryAddWithoutValidation("Retry-After", value);

        Assert.Null(CloudflareResilience.RetryAfter(response));
    }
}
