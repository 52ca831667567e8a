using System.Net;
using System.Text;
using FailoverMonitor.Configuration;
using FailoverMonitor.Http;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace FailoverMonitor.Alerts;

/// <summary>
/// Posts queued alerts to the configured webhooks, off the monitoring loop. Each post gets
/// <see cref="MaxAttempts"/> attempts of at most <see cref="AttemptTimeout"/>, with jittered exponential back-off
/// from <see cref="FirstRetryDelay"/> (a 429's <c>Retry-After</c> is honoured up to <see cref="MaxRetryAfter"/>);
/// 5xx, 408, 429, timeouts and transport errors are retried, other 4xx are not. One alert goes to its targets in
/// parallel, so a dead webhook does not hold up the others. Log lines name a target by host only.
/// </summary>
public sealed class AlertSender : BackgroundService
{
    /// <summary>Attempts per alert and target, the first included.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Longest wait for one attempt (connect, send, response headers and a short body).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Mean delay before the first retry; doubled for each further one, jittered.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Longest <c>Retry-After</c> waited for; a longer one counts as a failed attempt with the normal back-off.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    // Enough of an error body to say why (Slack answers "invalid_token", "no_service"), not more.
    private const int MaxDetailBytes = 512;

    private readonly AlertQueue _queue;
    private readonly HttpClient _httpClient;
    private readonly ILogger<AlertSender> _logger;
    private readonly IReadOnlyList<AlertTarget> _targets;
    private readonly ResiliencePipeline<AttemptResult> _pipeline;

    /// <summary>
    /// Creates the sender for the <c>alerts</c> of <paramref name="settings"/>, timed by <paramref name="time"/>, sending
    /// with <paramref name="httpClient"/> (no timeout of its own: the pipeline times each attempt).
    /// </summary>
    public AlertSender(AlertQueue queue, MonitorSettings settings, HttpClient httpClient, TimeProvider time, ILogger<AlertSender> logger)
    {
        _queue = queue;
        _httpClient = httpClient;
        _logger = logger;
        _targets = AlertTarget.From(settings.Alerts);
        _pipeline = new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = time }
            .AddRetriesWithAttemptTimeout(
                MaxAttempts - 1,
                FirstRetryDelay,
                AttemptTimeout,
                static r => r.IsTransient,
                static r => r.RetryAfter is { } wait && wait <= MaxRetryAfter ? wait : null)
            .Build();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.AlertsEnabled(_logger, _targets.Count, string.Join(", ", _targets.Select(t => $"{t.DisplayName} ({t.Format.ToConfigWord()})")));
        try
        {
            await foreach (var alert in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await SendAsync(alert, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            if (_queue.Count > 0)
            {
                Log.AlertsUnsent(_logger, _queue.Count);
            }
        }
    }

    /// <summary>Sends <paramref name="alert"/> to every target that wants its event; failures are logged, never thrown.</summary>
    /// <returns>How many targets accepted it.</returns>
    public async Task<int> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var sends = _targets.Where(t => t.Wants(alert.Event)).Select(t => SendToAsync(t, alert, cancellationToken));
        var results = await Task.WhenAll(sends).ConfigureAwait(false);
        return results.Count(ok => ok);
    }

    private async Task<bool> SendToAsync(AlertTarget target, Alert alert, CancellationToken cancellationToken)
    {
        var body = AlertBody.Create(alert, target.Format);
        var attempts = 0;
        string? problem;
        try
        {
            var result = await _pipeline.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    return await PostAsync(_httpClient, target, body, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            problem = result.Problem;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            problem = $"no answer within {AttemptTimeout.TotalSeconds:0} s";
        }
        catch (Exception e)
        {
            // Messages of transport errors name at most host and port, but redact in case one quotes the URL.
            problem = target.Redact(e is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } h ? $"{h.HttpRequestError}: {h.Message}" : e.Message);
        }

        if (problem is null)
        {
            Log.AlertSent(_logger, alert.Event.ToConfigWord(), alert.Tunnel, target.DisplayName, attempts);
            return true;
        }

        Log.AlertFailed(_logger, alert.Event.ToConfigWord(), alert.Tunnel, target.DisplayName, attempts, problem);
        return false;
    }

    private static async Task<AttemptResult> PostAsync(HttpClient client, AlertTarget target, string body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(target.Uri, content, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return AttemptResult.Success;
        }

        var detail = target.Redact(await ReadSomeAsync(response, cancellationToken).ConfigureAwait(false));
        var status = (int)response.StatusCode;
        return new AttemptResult(
            string.IsNullOrEmpty(detail) ? $"HTTP {status}" : $"HTTP {status} ({detail})",
            status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
            response.StatusCode == HttpStatusCode.TooManyRequests ? HttpRetry.RetryAfter(response) : null);
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxDetailBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, read);
            text = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            return text.Length <= 200 ? text : text[..200] + "…";
        }
    }

    /// <summary>What one attempt came to: <see cref="Problem"/> null on success.</summary>
    private sealed record AttemptResult(string? Problem, bool IsTransient, TimeSpan? RetryAfter)
    {
        public static readonly AttemptResult Success = new(null, false, null);
    }
}
