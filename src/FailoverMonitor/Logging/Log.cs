using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Logging;

/// <summary>
/// Every line the monitor writes, with stable event ids (never reused or repurposed). Wording of the start-up,
/// status and failover lines follows the Python original so existing <c>grep</c> habits keep working.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Cloudflare Tunnel Monitor started.")]
    public static partial void MonitorStarted(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Gateway IP: {GatewayIp}")]
    public static partial void GatewayIp(ILogger logger, string gatewayIp);

    [LoggerMessage(3, LogLevel.Information, "Monitoring {TunnelCount} tunnel(s)")]
    public static partial void TunnelCount(ILogger logger, int tunnelCount);

    [LoggerMessage(4, LogLevel.Information, "Check interval: {CheckInterval} seconds")]
    public static partial void CheckInterval(ILogger logger, double checkInterval);

    [LoggerMessage(5, LogLevel.Information, "Decision settings: failure_threshold {FailureThreshold}, recovery_threshold {RecoveryThreshold}, failover_on {FailoverOn}, failback {Failback}")]
    public static partial void Settings(ILogger logger, int failureThreshold, int recoveryThreshold, string failoverOn, string failback);

    [LoggerMessage(6, LogLevel.Information, "Tunnel {Tunnel}: local service {Service} is {UnitState} at start-up")]
    public static partial void UnitStateAtStartup(ILogger logger, string tunnel, string service, string unitState);

    [LoggerMessage(7, LogLevel.Information, "Cloudflare Tunnel Monitor stopping. Local services are left as they are.")]
    public static partial void MonitorStopping(ILogger logger);

    [LoggerMessage(8, LogLevel.Critical, "{Problem}")]
    public static partial void ConfigurationInvalid(ILogger logger, string problem);

    [LoggerMessage(10, LogLevel.Information, "Tunnel {Tunnel} status: {Status}")]
    public static partial void TunnelStatusChanged(ILogger logger, string tunnel, string status);

    [LoggerMessage(11, LogLevel.Debug, "Tunnel {Tunnel} status: {Status} ({Reason})")]
    public static partial void TunnelChecked(ILogger logger, string tunnel, string status, string reason);

    [LoggerMessage(12, LogLevel.Warning, "Tunnel {Tunnel} status unknown: {Reason}. No action while unknown.")]
    public static partial void TunnelUnknown(ILogger logger, string tunnel, string reason);

    [LoggerMessage(13, LogLevel.Error, "Tunnel {Tunnel}: configuration problem: {Reason}. No action for this tunnel until fixed.")]
    public static partial void TunnelConfigurationProblem(ILogger logger, string tunnel, string reason);

    [LoggerMessage(14, LogLevel.Information, "Tunnel {Tunnel}: API answering again")]
    public static partial void TunnelKnownAgain(ILogger logger, string tunnel);

    [LoggerMessage(15, LogLevel.Information, "Tunnel {Tunnel}: {Reason}; not acting yet")]
    public static partial void CountingTowardAction(ILogger logger, string tunnel, string reason);

    [LoggerMessage(20, LogLevel.Error, "Tunnel {Tunnel} is down. Starting local service {Service} ({Reason})")]
    public static partial void FailoverStarting(ILogger logger, string tunnel, string service, string reason);

    [LoggerMessage(21, LogLevel.Warning, "Tunnel {Tunnel} failed over: local service {Service} is active")]
    public static partial void FailedOver(ILogger logger, string tunnel, string service);

    [LoggerMessage(22, LogLevel.Error, "Tunnel {Tunnel}: starting local service {Service} did not take: {Error}. Next attempt in {RetrySeconds} seconds")]
    public static partial void StartFailed(ILogger logger, string tunnel, string service, string error, double retrySeconds);

    [LoggerMessage(23, LogLevel.Information, "Tunnel {Tunnel} primary connector is back. Stopping local service {Service} ({Reason})")]
    public static partial void FailbackStopping(ILogger logger, string tunnel, string service, string reason);

    [LoggerMessage(24, LogLevel.Information, "Tunnel {Tunnel} restored: local service {Service} stopped")]
    public static partial void FailedBack(ILogger logger, string tunnel, string service);

    [LoggerMessage(25, LogLevel.Error, "Tunnel {Tunnel}: stopping local service {Service} did not take: {Error}. Next attempt in {RetrySeconds} seconds")]
    public static partial void StopFailed(ILogger logger, string tunnel, string service, string error, double retrySeconds);

    [LoggerMessage(26, LogLevel.Warning, "Tunnel {Tunnel}: local service {Service} is now {UnitState} (was {PreviousState}), changed outside the monitor")]
    public static partial void UnitStateChanged(ILogger logger, string tunnel, string service, string unitState, string previousState);

    [LoggerMessage(27, LogLevel.Error, "Tunnel {Tunnel}: cannot read the state of local service {Service}: {Error}. No action for this tunnel this cycle.")]
    public static partial void UnitStateUnreadable(ILogger logger, string tunnel, string service, string error);

    [LoggerMessage(30, LogLevel.Warning, "Gateway {GatewayIp} unreachable. Skipping tunnel monitoring. ({Problem})")]
    public static partial void GatewayUnreachable(ILogger logger, string gatewayIp, string problem);

    [LoggerMessage(31, LogLevel.Information, "Gateway {GatewayIp} reachable again. Resuming tunnel monitoring.")]
    public static partial void GatewayReachable(ILogger logger, string gatewayIp);

    [LoggerMessage(32, LogLevel.Error, "Gateway {GatewayIp} cannot be probed: {Problem}. Skipping tunnel monitoring until it can.")]
    public static partial void GatewayProbeError(ILogger logger, string gatewayIp, string problem);

    [LoggerMessage(40, LogLevel.Information, "Heartbeat: {Summary}")]
    public static partial void Heartbeat(ILogger logger, string summary);

    [LoggerMessage(41, LogLevel.Error, "Check cycle failed: {Error}")]
    public static partial void CycleFailed(ILogger logger, string error, Exception exception);

    [LoggerMessage(43, LogLevel.Debug, "Cycle finished in {ElapsedMilliseconds} ms")]
    public static partial void CycleFinished(ILogger logger, double elapsedMilliseconds);

    [LoggerMessage(9, LogLevel.Warning, "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(16, LogLevel.Warning, "Tunnel {Tunnel} status still unknown since {Since:HH:mm:ss} UTC: {Reason}. No action while unknown.")]
    public static partial void TunnelStillUnknown(ILogger logger, string tunnel, DateTimeOffset since, string reason);

    [LoggerMessage(17, LogLevel.Error, "Tunnel {Tunnel}: configuration problem since {Since:HH:mm:ss} UTC: {Reason}. No action for this tunnel until fixed.")]
    public static partial void TunnelStillConfigurationProblem(ILogger logger, string tunnel, DateTimeOffset since, string reason);

    [LoggerMessage(28, LogLevel.Error, "Tunnel {Tunnel} backup not connected. Restarting local service {Service} ({Reason})")]
    public static partial void RestartingBackup(ILogger logger, string tunnel, string service, string reason);

    [LoggerMessage(29, LogLevel.Error, "Tunnel {Tunnel}: restarting local service {Service} did not take: {Error}. Next attempt in {RetrySeconds} seconds")]
    public static partial void RestartFailed(ILogger logger, string tunnel, string service, string error, double retrySeconds);

    [LoggerMessage(35, LogLevel.Critical, "Tunnel {Tunnel} on hold: {Reason}. Local service {Service} is {UnitState}; {Holding}")]
    public static partial void Hold(ILogger logger, string tunnel, string reason, string service, string unitState, string holding);

    [LoggerMessage(36, LogLevel.Information, "Tunnel {Tunnel}: hold released")]
    public static partial void HoldReleased(ILogger logger, string tunnel);

    [LoggerMessage(37, LogLevel.Error, "Tunnel {Tunnel}: local service {Service} does not exist (systemd LoadState={LoadState}); a failover cannot work until the unit is installed")]
    public static partial void UnitMissing(ILogger logger, string tunnel, string service, string loadState);

    [LoggerMessage(33, LogLevel.Warning, "Gateway {GatewayIp} still unreachable since {Since:HH:mm:ss} UTC. Skipping tunnel monitoring. ({Problem})")]
    public static partial void GatewayStillUnreachable(ILogger logger, string gatewayIp, DateTimeOffset since, string problem);

    [LoggerMessage(44, LogLevel.Information, "API token of tunnel(s) {Tunnels}: {TokenStatus}")]
    public static partial void TokenVerified(ILogger logger, string tunnels, string tokenStatus);

    [LoggerMessage(45, LogLevel.Error, "API token of tunnel(s) {Tunnels} is not usable: {Reason}")]
    public static partial void TokenUnusable(ILogger logger, string tunnels, string reason);

    [LoggerMessage(46, LogLevel.Warning, "API token of tunnel(s) {Tunnels} could not be verified at start-up: {Reason}")]
    public static partial void TokenUnverified(ILogger logger, string tunnels, string reason);

    [LoggerMessage(50, LogLevel.Information, "Reloaded {ConfigPath}: {Kept} tunnel(s) kept with their state, {Added} added, {Removed} removed")]
    public static partial void Reloaded(ILogger logger, string configPath, int kept, int added, int removed);

    [LoggerMessage(51, LogLevel.Error, "Reload failed, keeping the running configuration: {Problem}")]
    public static partial void ReloadFailed(ILogger logger, string problem);

    [LoggerMessage(52, LogLevel.Warning, "Reload: {Key} changed; it takes effect after `systemctl restart failover-monitor`")]
    public static partial void ReloadNeedsRestart(ILogger logger, string key);

    [LoggerMessage(53, LogLevel.Warning, "Tunnel {Tunnel} is no longer in the configuration; its local service {Service} is left as it is")]
    public static partial void TunnelRemoved(ILogger logger, string tunnel, string service);

    [LoggerMessage(60, LogLevel.Warning, "DRY RUN: would run `systemctl {Verb} {Unit}`; not run")]
    public static partial void WouldRun(ILogger logger, string verb, string unit);

    [LoggerMessage(61, LogLevel.Warning, "State file {StateFile} cannot be written ({Error}); `failover-monitor status` will not see this daemon")]
    public static partial void StateFileUnwritable(ILogger logger, string stateFile, string error);

    [LoggerMessage(42, LogLevel.Warning, "Log file {LogFile} cannot be written ({Error}); logging to the console (journald) only")]
    public static partial void LogFileUnwritable(ILogger logger, string logFile, string error);

    [LoggerMessage(70, LogLevel.Information, "Alerts: {Count} webhook(s): {Targets}")]
    public static partial void AlertsEnabled(ILogger logger, int count, string targets);

    [LoggerMessage(71, LogLevel.Debug, "Alert {Event} for tunnel {Tunnel} sent to {Target} (attempt {Attempts})")]
    public static partial void AlertSent(ILogger logger, string @event, string tunnel, string target, int attempts);

    [LoggerMessage(72, LogLevel.Warning, "Alert {Event} for tunnel {Tunnel}: alert to {Target} failed after {Attempts} attempt(s): {Problem}")]
    public static partial void AlertFailed(ILogger logger, string @event, string tunnel, string target, int attempts, string problem);

    [LoggerMessage(73, LogLevel.Warning, "Alert queue full ({Capacity}): dropped the oldest alert ({Event} for tunnel {Tunnel}); {Dropped} dropped since start")]
    public static partial void AlertDropped(ILogger logger, int capacity, string @event, string tunnel, long dropped);

    [LoggerMessage(74, LogLevel.Warning, "Stopping with {Count} alert(s) not sent")]
    public static partial void AlertsUnsent(ILogger logger, int count);

    [LoggerMessage(75, LogLevel.Error, "Alert {Event} for tunnel {Tunnel} could not be queued: {Error}")]
    public static partial void AlertNotQueued(ILogger logger, string @event, string tunnel, string error);
}
