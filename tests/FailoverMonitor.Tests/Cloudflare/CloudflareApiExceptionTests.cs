using FailoverMonitor.Cloudflare;

namespace FailoverMonitor.Tests.Cloudflare;

public sealed class CloudflareApiExceptionTests
{
    [Theory]
    [InlineData(ApiFailureKind.Unauthorized, true)]
    [InlineData(ApiFailureKind.NotFound, true)]
    [InlineData(ApiFailureKind.Transport, false)]
    [InlineData(ApiFailureKind.Timeout, false)]
    [InlineData(ApiFailureKind.ServerError, false)]
    [InlineData(ApiFailureKind.RateLimited, false)]
    [InlineData(ApiFailureKind.HttpError, false)]
    [InlineData(ApiFailureKind.MalformedBody, false)]
    [InlineData(ApiFailureKind.ApiError, false)]
    public void IsConfigurationProblem_EachKind_OnlyATokenOrIdTheApiRejects(ApiFailureKind kind, bool expected) =>
        Assert.Equal(expected, new CloudflareApiException(kind, "x").IsConfigurationProblem);
}
