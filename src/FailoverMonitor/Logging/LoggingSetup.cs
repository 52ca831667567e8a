using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace FailoverMonitor.Logging;

/// <summary>
/// Where log lines go: one Serilog logger writes the console (<see cref="ConsoleLineFormatter"/>, which under systemd
/// carries syslog priority prefixes for journald) and the file (<see cref="FileLog"/>).
/// </summary>
public static class LoggingSetup
{
    // Framework chatter (HTTP client request lines, host lifetime) would drown the decisions: warnings and worse only.
    private static readonly string[] FrameworkCategories = ["Microsoft", "System"];

    /// <summary>Whether stdout is connected to journald (systemd sets <c>JOURNAL_STREAM</c>, systemd.exec(5)).</summary>
    public static bool IsJournalConsole => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));

    /// <summary>Configures <paramref name="logging"/> with the default rotation; returns why <paramref name="logFile"/> cannot be written, or null.</summary>
    public static string? Configure(ILoggingBuilder logging, string logFile) =>
        Configure(logging, logFile, FileLog.DefaultMaxSizeMegabytes, FileLog.DefaultRetainedFiles, out _);

    /// <summary>
    /// Makes Serilog the host's <see cref="ILoggerFactory"/>, as Serilog.Extensions.Hosting's <c>UseSerilog</c> does:
    /// every logger writes straight to the Serilog logger of <see cref="CreateLogger"/>, which holds the level
    /// filters, with none of the factory, providers and filter options of Microsoft.Extensions.Logging to build at
    /// start-up. On Windows the logger is instead one provider of Microsoft.Extensions.Logging's factory, next to the
    /// Application event log provider that <c>AddWindowsService()</c> adds for a service. Returns why
    /// <paramref name="logFile"/> cannot be written, or null; <paramref name="sink"/> can be reopened on SIGHUP.
    /// </summary>
    public static string? Configure(ILoggingBuilder logging, string logFile, int maxSizeMegabytes, int retainedFiles, out RotatingFileSink? sink)
    {
        sink = FileLog.Open(logFile, maxSizeMegabytes, retainedFiles, out var error);
        ReportSinkFailures();
        var logger = CreateLogger(sink);
        if (OperatingSystem.IsWindows())
        {
            logging.ClearProviders();
            // The same thresholds for the event log provider, which Serilog's overrides do not reach.
            foreach (var category in FrameworkCategories)
            {
                logging.AddFilter(category, Microsoft.Extensions.Logging.LogLevel.Warning);
            }

            logging.AddSerilog(logger, dispose: true);
        }
        else
        {
            logging.Services.AddSingleton<ILoggerFactory>(_ => new SerilogLoggerFactory(logger, dispose: true));
        }

        return error;
    }

    /// <summary>The Serilog logger behind Microsoft.Extensions.Logging: the console, and <paramref name="file"/> when there is one.</summary>
    public static Logger CreateLogger(ILogEventSink? file)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.With<FileLog.LevelWordEnricher>()
            .WriteTo.Console(new ConsoleLineFormatter(IsJournalConsole));
        foreach (var category in FrameworkCategories)
        {
            configuration.MinimumLevel.Override(category, LogEventLevel.Warning);
        }

        if (file is not null)
        {
            configuration.WriteTo.Sink(file);
        }

        return configuration.CreateLogger();
    }

    /// <summary>
    /// Serilog reports a failing sink (the file's own failures are <see cref="RotatingFileSink"/>'s) only through
    /// SelfLog: its reports go to stderr, which journald keeps, at most once a minute, while monitoring carries on.
    /// </summary>
    private static void ReportSinkFailures()
    {
        var lastReport = DateTimeOffset.MinValue;
        Serilog.Debugging.SelfLog.Enable(message =>
        {
            var now = TimeProvider.System.GetUtcNow();
            if (now - lastReport >= TimeSpan.FromMinutes(1))
            {
                lastReport = now;
                Console.Error.WriteLine($"<4>Logging failed; monitoring continues: {message.Trim()}");
            }
        });
    }
}
