using Microsoft.Extensions.Logging;
using Serilog;

namespace FailoverMonitor.Logging;

/// <summary>Where log lines go: the file (<see cref="FileLog"/>) and the console, which under systemd carries syslog priority prefixes for journald.</summary>
public static class LoggingSetup
{
    /// <summary>Whether stdout is connected to journald (systemd sets <c>JOURNAL_STREAM</c>, systemd.exec(5)).</summary>
    public static bool IsJournalConsole => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));

    /// <summary>Configures <paramref name="logging"/> with the default rotation; returns why <paramref name="logFile"/> cannot be written, or null.</summary>
    public static string? Configure(ILoggingBuilder logging, string logFile) =>
        Configure(logging, logFile, FileLog.DefaultMaxSizeMegabytes, FileLog.DefaultRetainedFiles, out _);

    /// <summary>Configures <paramref name="logging"/>; returns why <paramref name="logFile"/> cannot be written, or null. <paramref name="sink"/> can be reopened on SIGHUP.</summary>
    public static string? Configure(ILoggingBuilder logging, string logFile, int maxSizeMegabytes, int retainedFiles, out RotatingFileSink? sink)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Information);

        // Framework chatter (HTTP client request lines, host lifetime) would drown the decisions.
        logging.AddFilter("Microsoft", Microsoft.Extensions.Logging.LogLevel.Warning);
        logging.AddFilter("System", Microsoft.Extensions.Logging.LogLevel.Warning);
        if (IsJournalConsole)
        {
            logging.AddSystemdConsole(o => o.IncludeScopes = false);
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = false;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            });
        }

        var file = FileLog.Create(logFile, maxSizeMegabytes, retainedFiles, out sink, out var error);
        if (file is not null)
        {
            logging.AddSerilog(file, dispose: true);
        }

        return error;
    }
}
