using System.Diagnostics.CodeAnalysis;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace FailoverMonitor.Http;

/// <summary>
/// The retry shape both HTTP clients of the daemon share (the Cloudflare API client and the webhook sender): a few
/// attempts with jittered exponential back-off, each cut off by its own timeout, retrying transport errors, timed-out
/// attempts and whatever answers the caller calls transient, and waiting a server's <c>Retry-After</c> where the
/// caller takes it.
/// </summary>
public static class HttpRetry
{
    /// <summary>
    /// Longest <c>Retry-After</c> believed: 1 hour. Cloudflare's lock-out lasts 5 minutes and webhooks ask for
    /// seconds, so a date in year 9999 or a huge delta is a broken or hostile answer, not a reason to wait for good.
    /// </summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>
    /// Adds to <paramref name="builder"/> a retry of at most <paramref name="retries"/> further attempts, the first
    /// after about <paramref name="firstDelay"/> (doubled for each next one, jittered), around a per-attempt timeout
    /// of <paramref name="attemptTimeout"/>. An attempt is retried when it throws <see cref="HttpRequestException"/>
    /// or <see cref="TimeoutRejectedException"/>, or when <paramref name="isTransient"/> says so of its result;
    /// <paramref name="retryAfter"/> gives the wait before the next attempt instead of the back-off (null: back-off).
    /// </summary>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    // Polly's AddRetry asks the trimmer to keep every member of the result type; the annotation passes that on.
    public static ResiliencePipelineBuilder<T> AddRetriesWithAttemptTimeout<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>(
        this ResiliencePipelineBuilder<T> builder,
        int retries,
        TimeSpan firstDelay,
        TimeSpan attemptTimeout,
        Func<T, bool> isTransient,
        Func<T, TimeSpan?> retryAfter)
        where T : class =>
        builder
            .AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = retries,
                Delay = firstDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<T>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(isTransient),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } result ? retryAfter(result) : null),
            })
            .AddTimeout(attemptTimeout);

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
}
