using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FailoverMonitor.Configuration;
using Polly;
using Polly.Timeout;

namespace FailoverMonitor.Cloudflare;

/// <summary>
/// Typed client for the Cloudflare Tunnel API (API reference, Zero Trust › Tunnels › cloudflared). Each method
/// returns the parsed <c>result</c> or throws <see cref="CloudflareApiException"/>; one place
/// (<see cref="GetAsync{T}"/>) classifies HTTP statuses and unwraps the envelope.
/// </summary>
/// <remarks>A 429 locks the token out in <see cref="ApiUsage"/> until its <c>Retry-After</c> passes; until then calls with that token fail at once without a request.</remarks>
public sealed class CloudflareTunnelClient(HttpClient httpClient, ResiliencePipeline<HttpResponseMessage> pipeline, ApiUsage usage)
{
    /// <summary>Page size of the list call.</summary>
    public const int PageSize = 100;

    // Bounds a broken paging answer; 100 pages of 100 tunnels is far beyond any account we serve.
    private const int MaxPages = 100;

    /// <summary>The HttpClient base address for <paramref name="options"/>: <c>api_base_url</c> with a trailing slash, so relative paths append.</summary>
    public static Uri BaseAddressOf(MonitorOptions options) => new(options.ApiBaseUrl.TrimEnd('/') + "/");

    /// <summary><c>GET accounts/{account_id}/cfd_tunnel/{tunnel_id}</c>: one tunnel with its status.</summary>
    /// <exception cref="CloudflareApiException">Any failure; see <see cref="ApiFailureKind"/>.</exception>
    public async Task<CloudflareTunnel> GetTunnelAsync(string accountId, string tunnelId, ApiToken token, CancellationToken cancellationToken)
    {
        var envelope = await GetAsync($"accounts/{Escape(accountId)}/cfd_tunnel/{Escape(tunnelId)}", token,
            CloudflareJsonContext.Default.ApiEnvelopeCloudflareTunnel, cancellationToken).ConfigureAwait(false);
        envelope.Result!.ObservedAt = envelope.ServerDate;
        return envelope.Result;
    }

    /// <summary>
    /// <c>GET accounts/{account_id}/cfd_tunnel?is_deleted=false</c>, every page: all live tunnels of an account with
    /// their statuses, in one call per <see cref="PageSize"/> tunnels.
    /// </summary>
    /// <exception cref="CloudflareApiException">Any failure of any page.</exception>
    public async Task<IReadOnlyList<CloudflareTunnel>> ListTunnelsAsync(string accountId, ApiToken token, CancellationToken cancellationToken)
    {
        var tunnels = new List<CloudflareTunnel>();
        for (var page = 1; page <= MaxPages; page++)
        {
            var envelope = await GetAsync($"accounts/{Escape(accountId)}/cfd_tunnel?is_deleted=false&per_page={PageSize}&page={page}", token,
                CloudflareJsonContext.Default.ApiEnvelopeListCloudflareTunnel, cancellationToken).ConfigureAwait(false);
            foreach (var tunnel in envelope.Result!)
            {
                tunnel.ObservedAt = envelope.ServerDate;
            }

            tunnels.AddRange(envelope.Result);
            var info = envelope.ResultInfo;
            var pageSize = info is { PerPage: > 0 } ? info.PerPage : PageSize;
            if (envelope.Result!.Count == 0 || info is null || page * pageSize >= info.TotalCount)
            {
                break;
            }
        }

        return tunnels;
    }

    /// <summary><c>GET accounts/{account_id}/cfd_tunnel/{tunnel_id}/connections</c>: the tunnel's connectors.</summary>
    /// <exception cref="CloudflareApiException">Any failure; see <see cref="ApiFailureKind"/>.</exception>
    public async Task<IReadOnlyList<CloudflareConnector>> GetConnectorsAsync(string accountId, string tunnelId, ApiToken token, CancellationToken cancellationToken)
    {
        var envelope = await GetAsync($"accounts/{Escape(accountId)}/cfd_tunnel/{Escape(tunnelId)}/connections", token,
            CloudflareJsonContext.Default.ApiEnvelopeListCloudflareConnector, cancellationToken).ConfigureAwait(false);
        return envelope.Result!;
    }

    /// <summary>
    /// Verifies <paramref name="token"/>: <c>GET accounts/{account_id}/tokens/verify</c> for an account-owned token,
    /// then <c>GET user/tokens/verify</c> for a user token (Cloudflare API reference, API tokens › Verify).
    /// </summary>
    /// <exception cref="CloudflareApiException">Neither endpoint accepted the token, or the API failed.</exception>
    public async Task<TokenVerification> VerifyTokenAsync(string accountId, ApiToken token, CancellationToken cancellationToken)
    {
        try
        {
            return (await GetAsync($"accounts/{Escape(accountId)}/tokens/verify", token,
                CloudflareJsonContext.Default.ApiEnvelopeTokenVerification, cancellationToken).ConfigureAwait(false)).Result!;
        }
        catch (CloudflareApiException e) when (e.Kind is ApiFailureKind.Unauthorized or ApiFailureKind.NotFound)
        {
            return (await GetAsync("user/tokens/verify", token,
                CloudflareJsonContext.Default.ApiEnvelopeTokenVerification, cancellationToken).ConfigureAwait(false)).Result!;
        }
    }

    private async Task<ApiEnvelope<T>> GetAsync<T>(string relativeUrl, ApiToken token, JsonTypeInfo<ApiEnvelope<T>> typeInfo, CancellationToken cancellationToken)
    {
        usage.EnsureAllowed(token);
        var started = usage.CallStarted();
        try
        {
            var envelope = await GetCheckedAsync(relativeUrl, token, typeInfo, cancellationToken).ConfigureAwait(false);
            usage.CallEnded(token, started, failure: null);
            return envelope;
        }
        catch (CloudflareApiException e)
        {
            usage.CallEnded(token, started, e.Kind);
            throw;
        }
    }

    private async Task<ApiEnvelope<T>> GetCheckedAsync<T>(string relativeUrl, ApiToken token, JsonTypeInfo<ApiEnvelope<T>> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(relativeUrl, token, cancellationToken).ConfigureAwait(false);
        var status = response.StatusCode;
        if (status == HttpStatusCode.TooManyRequests)
        {
            usage.Block(token, CloudflareResilience.RetryAfter(response));
        }

        if (!response.IsSuccessStatusCode)
        {
            var detail = await ReadErrorsAsync(response, cancellationToken).ConfigureAwait(false);
            throw (int)status switch
            {
                401 or 403 => new CloudflareApiException(ApiFailureKind.Unauthorized,
                    $"HTTP {(int)status}{detail}: the token is invalid or lacks Account › Cloudflare Tunnel › Read", status),
                404 => new CloudflareApiException(ApiFailureKind.NotFound, $"HTTP 404{detail}: no such account or tunnel for this token", status),
                429 => new CloudflareApiException(ApiFailureKind.RateLimited, $"HTTP 429{detail}: rate limited", status, CloudflareResilience.RetryAfter(response)),
                >= 500 => new CloudflareApiException(ApiFailureKind.ServerError, $"HTTP {(int)status}{detail}", status),
                _ => new CloudflareApiException(ApiFailureKind.HttpError, $"HTTP {(int)status}{detail}", status),
            };
        }

        ApiEnvelope<T>? envelope;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            envelope = await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new CloudflareApiException(ApiFailureKind.MalformedBody,
                $"HTTP {(int)status} with a body that is not the expected JSON ({response.Content.Headers.ContentType?.MediaType ?? "no content type"}): {e.Message}", status, inner: e);
        }

        if (envelope is null)
        {
            throw new CloudflareApiException(ApiFailureKind.MalformedBody, $"HTTP {(int)status} with an empty body", status);
        }

        if (!envelope.Success)
        {
            throw new CloudflareApiException(ApiFailureKind.ApiError, $"HTTP {(int)status} with success:false{Describe(envelope.Errors)}", status);
        }

        if (envelope.Result is null)
        {
            throw new CloudflareApiException(ApiFailureKind.MalformedBody, $"HTTP {(int)status} without a result", status);
        }

        envelope.ServerDate = response.Headers.Date;
        return envelope;
    }

    private async Task<HttpResponseMessage> SendAsync(string relativeUrl, ApiToken token, CancellationToken cancellationToken)
    {
        try
        {
            return await pipeline.ExecuteAsync(
                static async (state, ct) =>
                {
                    state.usage.CountRequest(state.token);
                    using var request = new HttpRequestMessage(HttpMethod.Get, state.relativeUrl);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", state.token.Reveal());
                    // ResponseContentRead: the body is read inside the attempt, so its timeouts bound a body that stalls too.
                    return await state.httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                },
                (httpClient, relativeUrl, token, usage),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new CloudflareApiException(ApiFailureKind.Timeout, $"no answer within {e.Timeout.TotalSeconds:0.#} s", inner: e);
        }
        catch (HttpRequestException e)
        {
            var cause = e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message;
            throw new CloudflareApiException(ApiFailureKind.Transport, $"{e.HttpRequestError}: {cause}", inner: e);
        }
    }

    private static async Task<string> ReadErrorsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var envelope = await JsonSerializer.DeserializeAsync(stream, CloudflareJsonContext.Default.ApiEnvelopeJsonElement, cancellationToken).ConfigureAwait(false);
            return Describe(envelope?.Errors);
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static string Describe(List<ApiMessage>? errors) =>
        errors is { Count: > 0 } ? " (" + string.Join("; ", errors.Select(e => $"code {e.Code}: {e.Message}")) + ")" : "";

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
