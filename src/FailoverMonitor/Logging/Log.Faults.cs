using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Logging;

// Lines about the daemon's own faults (failing cycles, the watchdog, the state file, a stop that takes long, a
// failed host service), in a file of their own so their edits never collide with Log.cs. Ids 160–179 are theirs.
internal static partial class Log
{
    [LoggerMessage(160, LogLevel.Error, "Check cycle still failing since {Since:yyyy-MM-dd HH:mm:ss}Z ({Failures} attempts in a row): {Error}")]
    public static partial void CycleStillFailing(ILogger logger, DateTimeOffset since, int failures, string error);

    [LoggerMessage(161, LogLevel.Information, "Check cycle completes again after {Failures} failed attempt(s)")]
    public static partial void CycleRecovered(ILogger logger, int failures);

    [LoggerMessage(162, LogLevel.Critical, "No check cycle has run to its end since {Since:yyyy-MM-dd HH:mm:ss}Z ({Failures} attempts): WATCHDOG=1 is no longer sent, so systemd restarts the monitor where WatchdogSec= is set")]
    public static partial void WatchdogWithheld(ILogger logger, DateTimeOffset since, int failures);

    [LoggerMessage(163, LogLevel.Information, "State file {StateFile} is written again")]
    public static partial void StateFileWritable(ILogger logger, string stateFile);

    [LoggerMessage(164, LogLevel.Information, "Tunnel {Tunnel}: stop of local service {Service} queued, it is still deactivating; the monitor does not wait for it, each check reads its real state")]
    public static partial void BackupStillStopping(ILogger logger, string tunnel, string service);

    [LoggerMessage(165, LogLevel.Critical, "{Service} failed ({Error}); exiting with code {ExitCode} so that systemd restarts the monitor")]
    public static partial void HostedServiceFailed(ILogger logger, string service, string error, int exitCode);
}
