using System.Net;
using FailoverMonitor.Configuration;
using Polly;
using Polly.Retry;
using Polly.Timeout;

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
    /// Longest <c>Retry-After</c> believed: 1 hour. Cloudflare's lock-out lasts 5 minutes, so a date in year 9999
    /// or a huge delta is a broken or hostile answer, not a reason to stop reading a token for good.
    /// </summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>Builds the pipeline for <paramref name="options"/>, timed by <paramref name="timeProvider"/>.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Build(MonitorOptions options, TimeProvider timeProvider)
    {
        var attempt = TimeSpan.FromSeconds(options.ApiTimeout);
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddTimeout(attempt * 1.5)
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(250),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(IsTransient),
                DelayGenerator = static args => ValueTask.FromResult(
                    args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests ? RetryAfter(args.Outcome.Result) : null),
            })
            .AddTimeout(attempt)
            .Build();
    }

    /// <summary>
    /// The <c>Retry-After</c> of <paramref name="response"/> as a delay (a date counts from the response's
    /// <c>Date</c>), at most <see cref="MaxRetryAfter"/>; null when there is none, or it is not positive or not
    /// readable (the caller's normal back-off then applies).
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var delay = response.Headers.RetryAfter is { } retryAfter
            ? retryAfter.Delta ?? (retryAfter.Date is { } date ? date - (response.Headers.Date ?? date) : null)
            : null;
        return delay > TimeSpan.Zero ? (delay > MaxRetryAfter ? MaxRetryAfter : delay) : null;
    }

    private static bool IsTransient(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500
        || (response.StatusCode == HttpStatusCode.TooManyRequests
            && (RetryAfter(response) ?? TimeSpan.Zero) <= MaxRetryAfterInsideCall);
}
