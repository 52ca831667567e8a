using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FailoverMonitor.Configuration;
using FailoverMonitor.Http;
using FailoverMonitor.Text;
using Polly;
using Polly.Timeout;

namespace FailoverMonitor.Cloudflare;

/// <summary>
/// Typed client for the Cloudflare Tunnel API (API reference, Zero Trust › Tunnels › cloudflared). Each method
/// returns the parsed <c>result</c> or throws <see cref="CloudflareApiException"/>; one place
/// (<see cref="GetAsync{T}"/>) classifies HTTP statuses and unwraps the envelope.
/// </summary>
/// <remarks>
/// A 429 locks the token out in <see cref="ApiUsage"/> until its <c>Retry-After</c> passes; until then calls with
/// that token fail at once without a request. Answers are never trusted: a body over <see cref="MaxBodyBytes"/>,
/// a redirect, or a list item that cannot be read is a failure of that call or that item only, and every string
/// the API sends is cleaned (<see cref="SafeText"/>) before anyone logs it.
/// </remarks>
public sealed class CloudflareTunnelClient(HttpClient httpClient, Lazy<ResiliencePipeline<HttpResponseMessage>> pipeline, ApiUsage usage)
{
    /// <summary>
    /// Largest response body read, in bytes (4 MiB): a page of <see cref="ApiBudget.PageSize"/> tunnels is a few hundred KB.
    /// A larger body is dropped as it streams in, and the call fails (<see cref="ApiFailureKind.MalformedBody"/>).
    /// </summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    // Cloudflare's answer to an Authorization header it cannot parse: 6003 "Invalid request headers" holding
    // 6111 "Invalid format for Authorization header" in its error_chain (seen in real responses, HTTP 400).
    private static readonly int[] MalformedAuthorizationCodes = [6003, 6111];

    // Bounds a broken paging answer; 100 pages of 100 tunnels is far beyond any account we serve.
    private const int MaxPages = 100;

    /// <summary>
    /// The primary handler the client's <see cref="HttpClient"/> must use: it follows no redirect (the API never
    /// redirects; an answer from another host is not Cloudflare's) and renews pooled connections
    /// (<see cref="LongLivedHttpClient.ConnectionLifetime"/>), so DNS changes are seen by a client that lives as long as the process.
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => LongLivedHttpClient.CreateHandler(followRedirects: false);

    /// <summary>
    /// The <see cref="HttpClient"/> for this client: <see cref="CreateHandler"/>, the API's base URL, no timeout of
    /// its own (the pipeline of <see cref="CloudflareResilience"/> times each attempt and the whole call).
    /// </summary>
    public static HttpClient CreateHttpClient(ApiSettings api) =>
        new(CreateHandler()) { BaseAddress = api.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };

    /// <summary><c>GET accounts/{account_id}/cfd_tunnel/{tunnel_id}</c>: one tunnel with its status.</summary>
    /// <exception cref="CloudflareApiException">Any failure; see <see cref="ApiFailureKind"/>.</exception>
    public async Task<CloudflareTunnel> GetTunnelAsync(string accountId, string tunnelId, ApiToken token, CancellationToken cancellationToken)
    {
        var envelope = await GetAsync($"accounts/{Escape(accountId)}/cfd_tunnel/{Escape(tunnelId)}", token,
            CloudflareJsonContext.Default.ApiEnvelopeCloudflareTunnel, cancellationToken).ConfigureAwait(false);
        envelope.Result!.ObservedAt = envelope.ServerDate;
        return ResultItems.Clean(envelope.Result);
    }

    /// <summary>
    /// <c>GET accounts/{account_id}/cfd_tunnel?is_deleted=false</c>, every page: all live tunnels of an account with
    /// their statuses, in one call per <see cref="ApiBudget.PageSize"/> tunnels. An item that cannot be read comes back with
    /// <see cref="CloudflareTunnel.Problem"/> set (and its id, when it still names one); the others are unaffected.
    /// </summary>
    /// <exception cref="CloudflareApiException">Any failure of any page.</exception>
    public async Task<IReadOnlyList<CloudflareTunnel>> ListTunnelsAsync(string accountId, ApiToken token, CancellationToken cancellationToken)
    {
        var tunnels = new List<CloudflareTunnel>();
        for (var page = 1; page <= MaxPages; page++)
        {
            var envelope = await GetAsync($"accounts/{Escape(accountId)}/cfd_tunnel?is_deleted=false&per_page={ApiBudget.PageSize}&page={page}", token,
                CloudflareJsonContext.Default.ApiEnvelopeJsonElement, cancellationToken).ConfigureAwait(false);
            var count = tunnels.Count;
            foreach (var (item, element, problem) in ResultItems.Read(envelope.Result, CloudflareJsonContext.Default.CloudflareTunnel))
            {
                var tunnel = item is null ? ResultItems.UnreadableTunnel(element, problem!) : ResultItems.Clean(item);
                tunnel.ObservedAt = envelope.ServerDate;
                tunnels.Add(tunnel);
            }

            var info = envelope.ResultInfo;
            var pageSize = info is { PerPage: > 0 } ? info.PerPage : ApiBudget.PageSize;
            if (tunnels.Count == count || info is null || (long)page * pageSize >= info.TotalCount)
            {
                break;
            }
        }

        return tunnels;
    }

    /// <summary>
    /// <c>GET accounts/{account_id}/cfd_tunnel/{tunnel_id}/connections</c>: the tunnel's connectors. An item that
    /// cannot be read, or that has no id, is left out: a connector only counts as evidence when it can be read.
    /// </summary>
    /// <exception cref="CloudflareApiException">Any failure; see <see cref="ApiFailureKind"/>.</exception>
    public async Task<IReadOnlyList<CloudflareConnector>> GetConnectorsAsync(string accountId, string tunnelId, ApiToken token, CancellationToken cancellationToken)
    {
        var envelope = await GetAsync($"accounts/{Escape(accountId)}/cfd_tunnel/{Escape(tunnelId)}/connections", token,
            CloudflareJsonContext.Default.ApiEnvelopeJsonElement, cancellationToken).ConfigureAwait(false);
        return ResultItems.Read(envelope.Result, CloudflareJsonContext.Default.CloudflareConnector)
            .Where(r => r.Item is { Id.Length: > 0 })
            .Select(r => ResultItems.Clean(r.Item!))
            .Where(c => c.Id is { Length: > 0 })
            .ToList();
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
            usage.Block(token, HttpRetry.RetryAfter(response));
        }

        if (!response.IsSuccessStatusCode)
        {
            var errors = await ReadErrorsAsync(response, cancellationToken).ConfigureAwait(false);
            var detail = Describe(errors);
            throw (int)status switch
            {
                >= 300 and < 400 => new CloudflareApiException(ApiFailureKind.HttpError,
                    $"HTTP {(int)status}: a redirect to {SafeText.Clean(response.Headers.Location?.ToString() ?? "nowhere")}, not followed (the API never redirects; check api_base_url)", status),
                400 when Flatten(errors).Any(e => MalformedAuthorizationCodes.Contains(e.Code)) => new CloudflareApiException(ApiFailureKind.Unauthorized,
                    $"HTTP 400{detail}: Cloudflare cannot read the Authorization header: the token has a character a token cannot have (a space, a line break?)", status),
                401 or 403 => new CloudflareApiException(ApiFailureKind.Unauthorized,
                    $"HTTP {(int)status}{detail}: the token is invalid or lacks Account › Cloudflare Tunnel › Read", status),
                404 => new CloudflareApiException(ApiFailureKind.NotFound, $"HTTP 404{detail}: no such account or tunnel for this token", status),
                429 => new CloudflareApiException(ApiFailureKind.RateLimited, $"HTTP 429{detail}: rate limited", status, HttpRetry.RetryAfter(response)),
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
                $"HTTP {(int)status} with a body that is not the expected JSON ({SafeText.Clean(response.Content.Headers.ContentType?.MediaType) ?? "no content type"}): {SafeText.Clean(e.Message)}", status, inner: e);
        }

        if (envelope is null)
        {
            throw new CloudflareApiException(ApiFailureKind.MalformedBody, $"HTTP {(int)status} with an empty body", status);
        }

        if (!envelope.Success)
        {
            throw new CloudflareApiException(ApiFailureKind.ApiError, $"HTTP {(int)status} with success:false{Describe(envelope.Errors)}", status);
        }

        if (envelope.Result is null || envelope.Result is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined })
        {
            throw new CloudflareApiException(ApiFailureKind.MalformedBody, $"HTTP {(int)status} without a result", status);
        }

        envelope.ServerDate = response.Headers.Date;
        return envelope;
    }

    private async Task<HttpResponseMessage> SendAsync(string relativeUrl, ApiToken token, CancellationToken cancellationToken)
    {
        if (!token.Reveal().All(c => c is > ' ' and < '\u007f'))
        {
            // HttpClient would refuse such a header (or Cloudflare would answer 6003/6111): no request is sent.
            throw new CloudflareApiException(ApiFailureKind.Unauthorized,
                "the token has a character a token cannot have (a space, a line break, a control or non-ASCII character); no request sent");
        }

        try
        {
            return await pipeline.Value.ExecuteAsync(
                static async (state, ct) =>
                {
                    state.usage.CountRequest(state.token);
                    using var request = new HttpRequestMessage(HttpMethod.Get, state.relativeUrl);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", state.token.Reveal());
                    var response = await state.httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                    try
                    {
                        var asked = new Uri(state.httpClient.BaseAddress!, state.relativeUrl);
                        if (response.RequestMessage?.RequestUri is { } answered && answered != asked)
                        {
                            // A handler that follows redirects (not ours: see CreateHandler) brought an answer from elsewhere.
                            throw new CloudflareApiException(ApiFailureKind.HttpError,
                                $"HTTP {(int)response.StatusCode} after a redirect to {SafeText.Clean(answered.GetLeftPart(UriPartial.Authority))}; an answer from elsewhere is not used", response.StatusCode);
                        }

                        // The body is read inside the attempt, so its timeouts bound a body that stalls too.
                        await ResponseBody.LoadAsync(response, MaxBodyBytes, ct).ConfigureAwait(false);
                        return response;
                    }
                    catch
                    {
                        response.Dispose();
                        throw;
                    }
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
            throw new CloudflareApiException(ApiFailureKind.Transport, $"{e.HttpRequestError}: {SafeText.Clean(cause)}", inner: e);
        }
    }

    // The envelope's errors; none when the body is not an envelope.
    private static async Task<List<ApiMessage>?> ReadErrorsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var envelope = await JsonSerializer.DeserializeAsync(stream, CloudflareJsonContext.Default.ApiEnvelopeJsonElement, cancellationToken).ConfigureAwait(false);
            return envelope?.Errors;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    // Each error followed by its error_chain, depth-first; a chain deeper than a real one is cut.
    private static IEnumerable<ApiMessage> Flatten(List<ApiMessage>? errors, int depth = 0) =>
        depth > 4 ? [] : (errors ?? []).Where(e => e is not null).SelectMany(e => Flatten(e.ErrorChain, depth + 1).Prepend(e));

    private static string Describe(List<ApiMessage>? errors)
    {
        var list = Flatten(errors).Take(5).ToList();
        return list.Count > 0 ? " (" + string.Join("; ", list.Select(e => $"code {e.Code}: {SafeText.Clean(e.Message)}")) + ")" : "";
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
