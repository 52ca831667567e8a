using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Serilog;

namespace FailoverMonitor.Logging;

/// <summary>Where log lines go: the file (<see cref="FileLog"/>) and the console (<see cref="ConsoleLineFormatter"/>), which under systemd carries syslog priority prefixes for journald.</summary>
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
        logging.AddConsole();
        logging.Services.AddSingleton<ConsoleFormatter>(new ConsoleLineFormatter(IsJournalConsole, TimeProvider.System));
        // A post-configuration, so it also wins over AddSystemd(), which picks its own journald formatter.
        logging.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName = ConsoleLineFormatter.FormatterName);

        var file = FileLog.Create(logFile, maxSizeMegabytes, retainedFiles, out sink, out var error);
        if (file is not null)
        {
            logging.AddSerilog(file, dispose: true);
        }

        return error;
    }
}
