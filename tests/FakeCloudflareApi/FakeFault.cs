namespace FakeCloudflareApi;

/// <summary>What an injected fault does to a matching API request.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>HTTP <see cref="FakeFault.StatusCode"/> with a Cloudflare error envelope (<c>success:false</c>).</summary>
    [JsonStringEnumMemberName("status")] Status,

    /// <summary>Never answers until the client aborts or the server stops (then the connection is dropped).</summary>
    [JsonStringEnumMemberName("hang")] Hang,

    /// <summary>HTTP 200 with a <c>text/html</c> body.</summary>
    [JsonStringEnumMemberName("not_json")] NotJson,

    /// <summary>HTTP 200 with <c>success:false</c> and one errors entry.</summary>
    [JsonStringEnumMemberName("success_false")] SuccessFalse,

    /// <summary>HTTP 200 with <c>success:true</c> but a string as <c>result</c>.</summary>
    [JsonStringEnumMemberName("wrong_shape")] WrongShape,

    /// <summary>HTTP 429 with <c>Retry-After: </c><see cref="FakeFault.RetryAfterSeconds"/> and an error envelope.</summary>
    [JsonStringEnumMemberName("too_many_requests")] TooManyRequests,
}

/// <summary>
/// A fault injected in front of the API (checked before auth and routing; admin calls are never faulted).
/// The first matching fault in injection order wins. JSON (admin API): snake_case, e.g. <c>{"kind":"status","status_code":500,"times":2}</c>.
/// </summary>
/// <param name="Kind">What the fault does.</param>
/// <param name="StatusCode">HTTP status for <see cref="FaultKind.Status"/>. Default 500; ignored by other kinds.</param>
/// <param name="RetryAfterSeconds"><c>Retry-After</c> seconds for <see cref="FaultKind.TooManyRequests"/>. Default 1.</param>
/// <param name="PathContains">Only requests whose path (e.g. <c>/client/v4/accounts/a/cfd_tunnel</c>) contains this, ordinal. Default null: any path.</param>
/// <param name="Token">Only requests carrying this bearer token. Default null: any request.</param>
/// <param name="Times">How many requests it hits before it is removed. Default null: until <see cref="FakeCloudflare.ClearFaults"/>.</param>
/// <param name="ErrorCode">Cloudflare error code in the envelope. Default null: 10000 for 401/403, 971 for 429, 1002 for <see cref="FaultKind.SuccessFalse"/>, else 10002.</param>
/// <param name="ErrorMessage">Error message in the envelope. Default null: a message naming the fault.</param>
public sealed record FakeFault(
    FaultKind Kind,
    int StatusCode = 500,
    int RetryAfterSeconds = 1,
    string? PathContains = null,
    string? Token = null,
    int? Times = null,
    int? ErrorCode = null,
    string? ErrorMessage = null)
{
    internal bool Matches(string path, string? token) =>
        (PathContains is null || path.Contains(PathContains, StringComparison.Ordinal))
        && (Token is null || string.Equals(Token, token, StringComparison.Ordinal));
}
