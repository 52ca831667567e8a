using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace FailoverMonitor.Logging;

/// <summary>
/// The plain-text log file in the original script's format, <c>yyyy-MM-dd HH:mm:ss [LEVEL] message</c>, with
/// its level words (DEBUG, INFO, WARNING, ERROR, CRITICAL), local time, one line per event, flushed per line
/// so <c>tail -f</c> shows it at once.
/// </summary>
public static class FileLog
{
    /// <summary>The line layout, Serilog output-template syntax.</summary>
    public const string OutputTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss} [{LevelWord}] {Message:lj}{NewLine}{Exception}";

    /// <summary>Default for <c>log_max_size_mb</c>: the file rotates at 10 MiB.</summary>
    public const int DefaultMaxSizeMegabytes = 10;

    /// <summary>Default for <c>log_retained_files</c>: five rotated files are kept.</summary>
    public const int DefaultRetainedFiles = 5;

    /// <summary>A Serilog logger writing to <paramref name="path"/>, or null with <paramref name="error"/> when the file cannot be written.</summary>
    public static Logger? Create(string path, out string? error) =>
        Create(path, DefaultMaxSizeMegabytes, DefaultRetainedFiles, out _, out error);

    /// <summary>
    /// A Serilog logger writing to <paramref name="path"/>, rotated at <paramref name="maxSizeMegabytes"/> MiB keeping
    /// <paramref name="retainedFiles"/> old files; or null with <paramref name="error"/> when the file cannot be written.
    /// </summary>
    public static Logger? Create(string path, int maxSizeMegabytes, int retainedFiles, out RotatingFileSink? sink, out string? error)
    {
        sink = null;
        try
        {
            var directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            // Serilog swallows an unopenable file silently; probing first lets us say so on journald.
            using (File.Open(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return null;
        }

        error = null;
        ReportWriteFailures(path);
        sink = new RotatingFileSink(path,
            new Serilog.Formatting.Display.MessageTemplateTextFormatter(OutputTemplate, System.Globalization.CultureInfo.InvariantCulture),
            maxSizeMegabytes * 1024L * 1024L,
            retainedFiles);
        return new LoggerConfiguration()
            // AddSerilog lets every MEL event through to Serilog, so the framework filters are repeated here.
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .Enrich.With<LevelWordEnricher>()
            .WriteTo.Sink(sink)
            .CreateLogger();
    }

    /// <summary>
    /// Serilog reports other failures of a sink (the file's own are <see cref="RotatingFileSink"/>'s) only through
    /// SelfLog: they go to stderr, which journald keeps, at most once a minute, while monitoring carries on.
    /// </summary>
    private static void ReportWriteFailures(string path)
    {
        var lastReport = DateTimeOffset.MinValue;
        Serilog.Debugging.SelfLog.Enable(message =>
        {
            var now = TimeProvider.System.GetUtcNow();
            if (now - lastReport >= TimeSpan.FromMinutes(1))
            {
                lastReport = now;
                Console.Error.WriteLine($"<4>Log file {path} cannot be written; monitoring continues, logging to journald only: {message.Trim()}");
            }
        });
    }

    /// <summary>The original's level word for a Serilog level (Python logging names).</summary>
    public static string LevelWord(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => "DEBUG",
        LogEventLevel.Information => "INFO",
        LogEventLevel.Warning => "WARNING",
        LogEventLevel.Error => "ERROR",
        _ => "CRITICAL",
    };

    private sealed class LevelWordEnricher : ILogEventEnricher
    {
        private static readonly Dictionary<LogEventLevel, LogEventProperty> Words =
            Enum.GetValues<LogEventLevel>().ToDictionary(l => l, l => new LogEventProperty("LevelWord", new ScalarValue(LevelWord(l))));

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
            logEvent.AddPropertyIfAbsent(Words[logEvent.Level]);
    }
}
