using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Logging;

// The metrics' lines, in a file of their own so their edits never collide with Log.cs. Ids 90–99 are theirs; 92 (a
// dropped /metrics request, from the hand-written server the exporter replaced) is retired, not to be reused.
internal static partial class Log
{
    [LoggerMessage(90, LogLevel.Information, "Metrics: serving Prometheus text at http://{Address}/metrics")]
    public static partial void MetricsListening(ILogger logger, string address);

    [LoggerMessage(91, LogLevel.Error, "Metrics: cannot listen on {Address}: {Problem}. Monitoring goes on without /metrics.")]
    public static partial void MetricsListenFailed(ILogger logger, string address, string problem);

    [LoggerMessage(93, LogLevel.Information, "Metrics: exporting over OTLP (http/protobuf) to {Endpoint}")]
    public static partial void OtlpExporting(ILogger logger, string endpoint);
}
