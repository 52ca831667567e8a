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

    /// <summary>
    /// The sink writing to <paramref name="path"/> in <see cref="OutputTemplate"/>'s layout, rotated at
    /// <paramref name="maxSizeMegabytes"/> MiB keeping <paramref name="retainedFiles"/> old files; or null with
    /// <paramref name="error"/> when the file cannot be written. Its events need <see cref="LevelWordEnricher"/>.
    /// </summary>
    public static RotatingFileSink? Open(string path, int maxSizeMegabytes, int retainedFiles, out string? error)
    {
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
        return new RotatingFileSink(path,
            new Serilog.Formatting.Display.MessageTemplateTextFormatter(OutputTemplate, System.Globalization.CultureInfo.InvariantCulture),
            maxSizeMegabytes * 1024L * 1024L,
            retainedFiles);
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

    /// <summary>Adds the <c>LevelWord</c> property that <see cref="OutputTemplate"/> prints.</summary>
    public sealed class LevelWordEnricher : ILogEventEnricher
    {
        private static readonly Dictionary<LogEventLevel, LogEventProperty> Words =
            Enum.GetValues<LogEventLevel>().ToDictionary(l => l, l => new LogEventProperty("LevelWord", new ScalarValue(LevelWord(l))));

        /// <inheritdoc />
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
            logEvent.AddPropertyIfAbsent(Words[logEvent.Level]);
    }
}
