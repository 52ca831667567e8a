namespace FakeCloudflareApi;

/// <summary>What each <see cref="FaultKind"/> answers (all but <see cref="FaultKind.Hang"/>, which <see cref="ApiGate"/> handles).</summary>
internal static class FaultResponses
{
    public static Task WriteAsync(HttpContext ctx, FakeFault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.NotJson:
                ctx.Response.StatusCode = StatusCodes.Status200OK;
                ctx.Response.ContentType = "text/html; charset=utf-8";
                return ctx.Response.WriteAsync(
                    "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Injected fault: not JSON</h1></body></html>",
                    ctx.RequestAborted);
            case FaultKind.WrongShape:
                return TypedResults.Json(
                    new Envelope<string>(true, [], [], "injected fault: result is a string"), FakeJson.Default.EnvelopeString).ExecuteAsync(ctx);
            case FaultKind.SuccessFalse:
                return ApiResults.Error(StatusCodes.Status200OK, fault.ErrorCode ?? 1002, fault.ErrorMessage ?? "Injected fault: success false").ExecuteAsync(ctx);
            case FaultKind.TooManyRequests:
                ctx.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiResults.Error(
                    StatusCodes.Status429TooManyRequests,
                    fault.ErrorCode ?? 971,
                    fault.ErrorMessage ?? "Please wait and consider throttling your request speed").ExecuteAsync(ctx);
            case FaultKind.Status when fault.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified:
                ctx.Response.StatusCode = fault.StatusCode; // these may not carry a body
                return Task.CompletedTask;
            case FaultKind.Status:
                var code = fault.ErrorCode ?? (fault.StatusCode is 401 or 403 ? 10000 : fault.StatusCode == 429 ? 971 : 10002);
                return ApiResults.Error(fault.StatusCode, code, fault.ErrorMessage ?? $"Injected fault: HTTP {fault.StatusCode}").ExecuteAsync(ctx);
            default:
                throw new InvalidOperationException($"Fault kind {fault.Kind} has no canned response.");
        }
    }
}
