using System.Buffers;
using System.Net;

namespace FailoverMonitor.Cloudflare;

/// <summary>
/// Reads a response body into memory with a hard cap, while it streams: a body that declares or turns out to be
/// larger than the cap is dropped at the cap, never buffered whole. Stands in for
/// <see cref="HttpContent.LoadIntoBufferAsync(long, CancellationToken)"/>, which caps too but reports the excess
/// with the same <see cref="HttpRequestException"/> as a broken connection: the retry policy must not retry it.
/// </summary>
internal static class ResponseBody
{
    // Pooled and small: a fresh 80 KB chunk per request was most of a cycle's garbage at 50 accounts (each page of
    // the tunnel list is a few KB to a few hundred KB), and garbage is resident memory until the GC runs.
    private const int ChunkBytes = 16 * 1024;

    /// <summary>Replaces <paramref name="response"/>'s content by an in-memory copy of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="CloudflareApiException">Kind <see cref="ApiFailureKind.MalformedBody"/>: the body is larger.</exception>
    public static async Task LoadAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content.Headers.ContentLength > maxBytes)
        {
            throw TooLarge(response.StatusCode, maxBytes, $"declared {content.Headers.ContentLength} bytes");
        }

        using var buffer = new MemoryStream((int)(content.Headers.ContentLength ?? 0));
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes)
                    {
                        throw TooLarge(response.StatusCode, maxBytes, "more than that sent");
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        var copy = new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length);
        foreach (var header in content.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = copy;
        content.Dispose();
    }

    private static CloudflareApiException TooLarge(HttpStatusCode status, int maxBytes, string detail) =>
        new(ApiFailureKind.MalformedBody, $"HTTP {(int)status} with a body over the {maxBytes / (1024 * 1024)} MiB cap ({detail}); not read", status);
}
