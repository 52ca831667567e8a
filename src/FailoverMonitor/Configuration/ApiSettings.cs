namespace FailoverMonitor.Configuration;

/// <summary>How the Cloudflare API is reached.</summary>
public sealed record ApiSettings
{
    /// <summary>Default for <see cref="BaseUrl"/>: Cloudflare's v4 API.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.cloudflare.com/client/v4/");

    /// <summary>Default for <see cref="Timeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The API's base URL, always ending in <c>/</c> (<c>api_base_url</c>: https, or http only to a loopback address); default <see cref="DefaultBaseUrl"/>.</summary>
    public Uri BaseUrl { get; init; } = DefaultBaseUrl;

    /// <summary>Per-attempt timeout of a request (<c>api_timeout</c>, seconds); one call, retries included, is cut off after 1.5 × this. Default <see cref="DefaultTimeout"/>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
}
