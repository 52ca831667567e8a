using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Metrics;

/// <summary>
/// Serves <c>GET /metrics</c> (Prometheus text, <see cref="PrometheusTextWriter"/>) on <c>metrics_listen</c>. A
/// deliberately tiny HTTP/1.1 responder on a <see cref="TcpListener"/>, since the daemon is a Worker SDK project
/// without ASP.NET: one connection at a time, one request per connection (<c>Connection: close</c>), a request head
/// of at most <see cref="MaxRequestHead"/> bytes read within <see cref="RequestTimeout"/>. A port it cannot bind is
/// logged and leaves monitoring running.
/// </summary>
public sealed class MetricsEndpoint(MetricsCollector collector, IPEndPoint endPoint, TimeProvider timeProvider, ILogger<MetricsEndpoint> logger)
    : BackgroundService
{
    /// <summary>Largest request head accepted, bytes; a scraper sends a few hundred.</summary>
    public const int MaxRequestHead = 8192;

    /// <summary>Time a client has to send its request and take the answer; a stalled client cannot block scrapes for longer.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource<IPEndPoint> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the bound address (port 0 resolved) once listening; faults when the address cannot be bound.</summary>
    public Task<IPEndPoint> Listening => _listening.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = new TcpListener(endPoint);
        try
        {
            listener.Start(backlog: 16);
        }
        catch (SocketException e)
        {
            Log.MetricsListenFailed(logger, endPoint.ToString(), e.Message);
            _listening.TrySetException(e);
            return;
        }

        try
        {
            var bound = (IPEndPoint)listener.LocalEndpoint;
            Log.MetricsListening(logger, bound.ToString());
            _listening.TrySetResult(bound);
            while (!stoppingToken.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await ServeAsync(client, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException || (e is OperationCanceledException && !stoppingToken.IsCancellationRequested))
                {
                    Log.MetricsRequestFailed(logger, client.Client.RemoteEndPoint?.ToString() ?? "?", e is OperationCanceledException ? "timed out" : e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            listener.Stop();
            _listening.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        var stream = client.GetStream();
        var head = await ReadHeadAsync(stream, linked.Token).ConfigureAwait(false);
        var parts = head?[..head.IndexOf('\n')].TrimEnd('\r').Split(' ');
        if (parts is not { Length: 3 } || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            await RespondAsync(stream, "400 Bad Request", "bad request\n", linked.Token).ConfigureAwait(false);
            return;
        }

        var (method, path) = (parts[0], parts[1].Split('?')[0]);
        if (path != "/metrics")
        {
            await RespondAsync(stream, "404 Not Found", "not found: metrics are at /metrics\n", linked.Token).ConfigureAwait(false);
        }
        else if (method is not ("GET" or "HEAD"))
        {
            await RespondAsync(stream, "405 Method Not Allowed", "only GET and HEAD\n", linked.Token, "Allow: GET, HEAD\r\n").ConfigureAwait(false);
        }
        else
        {
            var text = PrometheusTextWriter.Write(collector.Collect());
            await RespondAsync(stream, "200 OK", text, linked.Token, headOnly: method == "HEAD", contentType: PrometheusTextWriter.ContentType).ConfigureAwait(false);
        }
    }

    /// <summary>Reads up to the blank line that ends the request head; null when the client stops first or sends too much.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestHead];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
            var text = Encoding.Latin1.GetString(buffer, 0, length);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal) || text.Contains("\n\n", StringComparison.Ordinal))
            {
                return text;
            }
        }

        return null;
    }

    private static async Task RespondAsync(NetworkStream stream, string status, string body, CancellationToken cancellationToken,
        string extraHeaders = "", bool headOnly = false, string contentType = "text/plain; charset=utf-8")
    {
        var content = Encoding.UTF8.GetBytes(body);
        var header = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\n{extraHeaders}Connection: close\r\n\r\n");
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        if (!headOnly)
        {
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        stream.Socket.Shutdown(SocketShutdown.Send);
    }
}
