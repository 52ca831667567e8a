using System.Net;
using System.Net.Http.Headers;
using FailoverMonitor.Http;
using Polly;

namespace FailoverMonitor.Tests.Http;

/// <summary>
/// <see cref="HttpRetry"/>: which attempts the shared retry repeats, and <see cref="HttpRetry.RetryAfter"/>. Delays
/// and timeouts on a clock are exercised through the two pipelines built on it, in
/// <c>CloudflareTunnelClientTests</c> and <c>AlertSenderTests</c>.
/// </summary>
public sealed class HttpRetryTests
{
    // Long enough that a test waiting on it fails by its bound instead; no test here waits on it.
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static ResiliencePipeline<Answer> Pipeline(int retries, TimeSpan firstDelay, Func<Answer, TimeSpan?> retryAfter) =>
        new ResiliencePipelineBuilder<Answer>()
            .AddRetriesWithAttemptTimeout(retries, firstDelay, Never, static a => a.Transient, retryAfter)
            .Build();

    private static async Task<(Answer Last, int Attempts)> RunAsync(ResiliencePipeline<Answer> pipeline, Func<int, Answer> attempt)
    {
        var attempts = 0;
        var last = await pipeline.ExecuteAsync(_ => ValueTask.FromResult(attempt(++attempts)), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound);
        return (last, attempts);
    }

    [Fact]
    public async Task AddRetriesWithAttemptTimeout_TransientEveryTime_FirstAttemptAndRetriesThenLastAnswer()
    {
        var (last, attempts) = await RunAsync(Pipeline(2, TimeSpan.Zero, static _ => null), n => new Answer(n, Transient: true));

        Assert.Equal((3, 3), (attempts, last.Attempt));
    }

    [Fact]
    public async Task AddRetriesWithAttemptTimeout_NotTransient_NoRetry()
    {
        var (last, attempts) = await RunAsync(Pipeline(2, TimeSpan.Zero, static _ => null), n => new Answer(n, Transient: false));

        Assert.Equal((1, 1), (attempts, last.Attempt));
    }

    [Fact]
    public async Task AddRetriesWithAttemptTimeout_TransportErrorThenAnswer_Retried()
    {
        var (last, attempts) = await RunAsync(Pipeline(2, TimeSpan.Zero, static _ => null), n => n == 1 ? throw new HttpRequestException("reset") : new Answer(n, Transient: false));

        Assert.Equal((2, 2), (attempts, last.Attempt));
    }

    [Fact]
    public async Task AddRetriesWithAttemptTimeout_RetryAfterGiven_WaitsThatInsteadOfBackOff()
    {
        // The back-off would wait an hour; the answer's own wait (none) is taken instead.
        var asked = new List<int>();
        var pipeline = Pipeline(1, Never, a => { asked.Add(a.Attempt); return TimeSpan.Zero; });

        var (last, attempts) = await RunAsync(pipeline, n => new Answer(n, Transient: n == 1));

        Assert.Equal((2, 2), (attempts, last.Attempt));
        Assert.Equal([1], asked);
    }

    [Fact]
    public void RetryAfter_DeltaSeconds_ThatDelay()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), HttpRetry.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_HttpDateWithDateHeader_DifferenceBetweenThem()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        var sent = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        response.Headers.Date = sent;
        response.Headers.RetryAfter = new RetryConditionHeaderValue(sent.AddMinutes(5));

        Assert.Equal(TimeSpan.FromMinutes(5), HttpRetry.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_NoHeader_Null()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Null(HttpRetry.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_DateInYear9999_CappedAtMaxRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.Date = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero));

        Assert.Equal(TimeSpan.FromHours(1), HttpRetry.MaxRetryAfter);
        Assert.Equal(HttpRetry.MaxRetryAfter, HttpRetry.RetryAfter(response));
    }

    [Fact]
    public void RetryAfter_HugeDeltaSeconds_CappedAtMaxRetryAfter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "2147483647");

        Assert.Equal(HttpRetry.MaxRetryAfter, HttpRetry.RetryAfter(response));
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

        Assert.Null(HttpRetry.RetryAfter(response));
    }

    private sealed record Answer(int Attempt, bool Transient);
}
