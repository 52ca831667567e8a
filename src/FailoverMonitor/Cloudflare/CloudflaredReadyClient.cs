using System.Net.Http.Json;

namespace FailoverMonitor.Cloudflare;

/// <summary>
/// Reads a local <c>cloudflared</c>'s <c>GET /ready</c> (its metrics server, <c>--metrics host:port</c>), whose
/// <c>connectorId</c> tells the local backup apart from the primary in the connections list (cloudflared source,
/// <c>metrics/readiness.go</c>).
/// </summary>
public sealed class CloudflaredReadyClient(HttpClient httpClient)
{
    /// <summary>Longest wait for a local <c>/ready</c> answer, for the client's <see cref="HttpClient.Timeout"/>: 2 seconds.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The connector id of the <c>cloudflared</c> at <paramref name="metricsAddress"/> (<c>host:port</c>).</summary>
    /// <returns>The id, or null when it does not answer or names none (then the fallback rule applies).</returns>
    public async Task<string?> GetConnectorIdAsync(string metricsAddress, CancellationToken cancellationToken)
    {
        try
        {
            // 503 (not ready) still carries the connector id, so the status code is not checked.
            using var response = await httpClient.GetAsync($"http://{metricsAddress}/ready", cancellationToken).ConfigureAwait(false);
            var readiness = await response.Content.ReadFromJsonAsync(CloudflaredJsonContext.Default.CloudflaredReadiness, cancellationToken).ConfigureAwait(false);
            return string.IsNullOrWhiteSpace(readiness?.ConnectorId) ? null : Text.SafeText.Clean(readiness.ConnectorId);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
