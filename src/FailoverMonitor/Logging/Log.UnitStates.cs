using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Logging;

// How unit states are read (D-Bus or systemctl), in a file of their own. Ids 220–239 are theirs.
internal static partial class Log
{
    [LoggerMessage(220, LogLevel.Information, "Unit states: read through {Source}, with no process per check")]
    public static partial void UnitStatesThroughBus(ILogger logger, string source);

    [LoggerMessage(221, LogLevel.Information, "Unit states: read with {Fallback}, one process per check: no answer from {Source} ({Problem}); asked again every {RetrySeconds} s")]
    public static partial void UnitStatesNoBus(ILogger logger, string fallback, string source, string problem, int retrySeconds);

    [LoggerMessage(222, LogLevel.Warning, "Unit states: {Source} failed ({Problem}); reading them with {Fallback} until it answers again (asked every {RetrySeconds} s)")]
    public static partial void UnitStatesBusFailed(ILogger logger, string source, string problem, string fallback, int retrySeconds);

    [LoggerMessage(223, LogLevel.Information, "Unit states: {Source} answers again; read through it, with no process per check")]
    public static partial void UnitStatesBusBack(ILogger logger, string source);
}
