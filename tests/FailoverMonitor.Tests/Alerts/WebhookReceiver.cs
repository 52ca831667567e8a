using System.Collections.Concurrent;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace FailoverMonitor.Tests.Alerts;

/// <summary>One request a <see cref="WebhookReceiver"/> got.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, string? ContentType, string Body);

/// <summary>
/// A webhook endpoint on 127.0.0.1 (a <see cref="LoopbackServer"/>): records every request, answers the n-th one
/// (1-based) through a delegate. Its <see cref="Url"/> carries a fake secret in the path and query, as Slack's and
/// Discord's do.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>The secret parts of <see cref="Url"/>: none may appear in a log line.</summary>
    public const string PathSecret = "B0000SECRET/xoxb-Zq93PathSecret";

    /// <summary>The query secret of <see cref="Url"/>.</summary>
    public const string QuerySecret = "QuerySecret7781";

    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private LoopbackServer _server = null!;
    private int _count;

    private WebhookReceiver()
    {
    }

    /// <summary>Host and port, e.g. <c>127.0.0.1:40123</c>: what log lines may name.</summary>
    public string Authority => _server.Address;

    /// <summary>The webhook URL, secrets included.</summary>
    public string Url => $"http://{_server.Address}/services/T0000/{PathSecret}?token={QuerySecret}";

    /// <summary>Requests so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>Starts a receiver answering request n (1-based) with <paramref name="answer"/>.</summary>
    public static async Task<WebhookReceiver> StartAsync(Func<int, HttpContext, Task> answer, CancellationToken cancellationToken)
    {
        var receiver = new WebhookReceiver();
        receiver._server = await LoopbackServer.StartAsync(
            async context =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                var n = Interlocked.Increment(ref receiver._count);
                receiver._requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.ContentType, body));
                receiver._arrived.Release();
                await answer(n, context);
            },
            cancellationToken);
        return receiver;
    }

    /// <summary>Answers every request with <paramref name="status"/>.</summary>
    public static Func<int, HttpContext, Task> Always(int status) => (_, context) =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    /// <summary>Waits (bounded) until <paramref name="count"/> requests have arrived in all.</summary>
    public async Task WaitForRequestsAsync(int count, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(FakeTimeProvider.DefaultWait);
        while (Volatile.Read(ref _count) < count)
        {
            await _arrived.WaitAsync(bound.Token);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _arrived.Dispose();
    }
}
