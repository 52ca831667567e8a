using System.Net;

namespace FailoverMonitor.Cloudflare;

/// <summary>Why an API call gave no usable answer. Every kind makes the observation Unknown, never a status.</summary>
public enum ApiFailureKind
{
    /// <summary>Connection refused, DNS or TLS failure, reset.</summary>
    Transport,

    /// <summary>No answer within the per-attempt or total timeout.</summary>
    Timeout,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>HTTP 429: the token's user is over 1,200 requests per 5 minutes.</summary>
    RateLimited,

    /// <summary>HTTP 401/403: bad token, or one without Account › Cloudflare Tunnel › Read. A configuration problem.</summary>
    Unauthorized,

    /// <summary>HTTP 404: the account or tunnel id does not exist for this token. A configuration problem.</summary>
    NotFound,

    /// <summary>Another unexpected HTTP status.</summary>
    HttpError,

    /// <summary>The body is not JSON, not the expected shape, or lacks <c>result</c>.</summary>
    MalformedBody,

    /// <summary>A 2xx answer with <c>success:false</c>.</summary>
    ApiError,
}

/// <summary>A Cloudflare API call failed; the message says how, and never contains the token.</summary>
public sealed class CloudflareApiException(ApiFailureKind kind, string message, HttpStatusCode? statusCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The failure class.</summary>
    public ApiFailureKind Kind { get; } = kind;

    /// <summary>HTTP status, when an answer arrived.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary><c>Retry-After</c> of a 429, when given.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Whether the failure means the configuration is wrong (token, account or tunnel id).</summary>
    public bool IsConfigurationProblem => Kind is ApiFailureKind.Unauthorized or ApiFailureKind.NotFound;
}
