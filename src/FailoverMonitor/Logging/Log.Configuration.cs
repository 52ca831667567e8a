using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Logging;

/// <summary>Configuration loading and reload events (EventIds 120–139).</summary>
internal static partial class Log
{
    [LoggerMessage(120, LogLevel.Error, "Reload of {ConfigPath} failed, keeping the running configuration: {Error}")]
    public static partial void ReloadFailedUnexpectedly(ILogger logger, string configPath, string error, Exception exception);
}
