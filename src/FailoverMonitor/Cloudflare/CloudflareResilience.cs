using System.Net;
using FailoverMonitor.Configuration;
using FailoverMonitor.Http;
using Polly;

namespace FailoverMonitor.Cloudflare;

/// <summary>
/// The Polly pipeline around every API request: a total budget of 1.5 × <c>api_timeout</c>, a short jittered
/// retry (at most 2, from 250 ms) for transport errors, timeouts, 5xx and a 429 whose <c>Retry-After</c> fits the
/// budget, and a per-attempt timeout of <c>api_timeout</c>. Other 4xx are never retried: they will not heal.
/// </summary>
public static class CloudflareResilience
{
    /// <summary>Longest <c>Retry-After</c> worth waiting for inside one call; longer ones fail the call at once.</summary>
    public static readonly TimeSpan MaxRetryAfterInsideCall = TimeSpan.FromSeconds(1);

    /// <summary>Builds the pipeline for <paramref name="api"/>'s timeout, timed by <paramref name="timeProvider"/>.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Build(ApiSettings api, TimeProvider timeProvider)
    {
        var attempt = api.Timeout;
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddTimeout(attempt * 1.5)
            .AddRetriesWithAttemptTimeout(
                retries: 2,
                firstDelay: TimeSpan.FromMilliseconds(250),
                attemptTimeout: attempt,
                IsTransient,
                static response => response.StatusCode == HttpStatusCode.TooManyRequests ? HttpRetry.RetryAfter(response) : null)
            .Build();
    }

    private static bool IsTransient(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500
        || (response.StatusCode == HttpStatusCode.TooManyRequests
            && (HttpRetry.RetryAfter(response) ?? TimeSpan.Zero) <= MaxRetryAfterInsideCall);
}
