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

    /// <summary>
    /// The pipeline for <paramref name="api"/>'s timeout, timed by <paramref name="timeProvider"/>, built at its first
    /// use: Polly validates each strategy's options through DataAnnotations reflection, which under NativeAOT costs
    /// several milliseconds, and the first request comes after READY=1, so start-up does not wait for it.
    /// </summary>
    public static Lazy<ResiliencePipeline<HttpResponseMessage>> Build(ApiSettings api, TimeProvider timeProvider) =>
        new(() => Create(api.Timeout, timeProvider));

    private static ResiliencePipeline<HttpResponseMessage> Create(TimeSpan attempt, TimeProvider timeProvider) =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddTimeout(attempt * 1.5)
            .AddRetriesWithAttemptTimeout(
                retries: 2,
                firstDelay: TimeSpan.FromMilliseconds(250),
                attemptTimeout: attempt,
                IsTransient,
                static response => response.StatusCode == HttpStatusCode.TooManyRequests ? HttpRetry.RetryAfter(response) : null)
            .Build();

    private static bool IsTransient(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500
        || (response.StatusCode == HttpStatusCode.TooManyRequests
            && (HttpRetry.RetryAfter(response) ?? TimeSpan.Zero) <= MaxRetryAfterInsideCall);
}
