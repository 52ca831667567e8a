namespace FakeCloudflareApi;

/// <summary>Cloudflare envelopes as results.</summary>
internal static class ApiResults
{
    public static IResult Ok<T>(T result, System.Text.Json.Serialization.Metadata.JsonTypeInfo<Envelope<T>> typeInfo, ResultInfo? info = null) =>
        TypedResults.Json(new Envelope<T>(true, [], [], result) { ResultInfo = info }, typeInfo);

    public static IResult Error(int statusCode, int code, string message) =>
        TypedResults.Json(new Envelope<string>(false, [new ApiMessage(code, message)], [], null), FakeJson.Default.EnvelopeString, statusCode: statusCode);

    public static IResult AuthenticationError() => Error(StatusCodes.Status403Forbidden, 10000, "Authentication error");

    public static IResult InvalidToken() => Error(StatusCodes.Status401Unauthorized, 1000, "Invalid API Token");

    public static IResult TunnelNotFound() => Error(StatusCodes.Status404NotFound, 1003, "Tunnel not found");

    public static IResult NoRoute(string path) =>
        Error(StatusCodes.Status404NotFound, 7003, $"Could not route to {path}, perhaps your object identifier is invalid?");
}
