namespace FakeCloudflareApi;

/// <summary>
/// Middleware in front of <c>/client/v4</c>: records every request, injects faults, adds latency.
/// A request is recorded just before its response starts, so a client never sees an answer the log lacks.
/// </summary>
internal sealed class ApiGate(FaultList faults, RequestLog log, TimeProvider time, Func<TimeSpan> latency, CancellationToken stopping)
{
    public async Task InvokeAsync(HttpContext ctx, RequestDelegate next)
    {
        var request = ctx.Request;
        if (!request.Path.StartsWithSegments(ApiEndpoints.Prefix))
        {
            await next(ctx);
            return;
        }

        var path = request.Path.Value ?? string.Empty;
        var token = Bearer.From(request);
        var at = time.GetUtcNow();
        var recorded = 0;
        void Record(int status)
        {
            if (Interlocked.Exchange(ref recorded, 1) == 0)
            {
                log.Add(new RecordedRequest(at, request.Method, path, request.QueryString.Value ?? string.Empty, token, status));
            }
        }

        ctx.Response.OnStarting(() =>
        {
            Record(ctx.Response.StatusCode);
            return Task.CompletedTask;
        });

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        try
        {
            var fault = faults.Take(path, token);
            if (fault?.Kind == FaultKind.Hang)
            {
                Record(0); // visible at once, so a test can wait for the hang to begin
                await Task.Delay(Timeout.Infinite, aborted.Token);
                return;
            }

            if (latency() is { Ticks: > 0 } delay)
            {
                await Task.Delay(delay, aborted.Token);
            }

            await (fault is null ? next(ctx) : FaultResponses.WriteAsync(ctx, fault));
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            Record(0);
            ctx.Abort(); // the server is stopping or the client left: drop the connection, send nothing
        }
    }
}
