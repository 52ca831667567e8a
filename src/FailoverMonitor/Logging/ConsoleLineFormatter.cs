using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace FailoverMonitor.Logging;

/// <summary>
/// Console lines that read like the log file's, with no category or event id. When stdout is journald's stream
/// (<see cref="LoggingSetup.IsJournalConsole"/>) a line is <c>&lt;N&gt;message</c>, N being the level's syslog
/// priority, which journald stores as the entry's priority (it adds the time itself); elsewhere, a terminal, it is
/// <c>yyyy-MM-dd HH:mm:ss [LEVEL] message</c> as in the file. A message or an exception of several lines is written
/// as one console line per line, each with the same prefix, so journald keeps every line at the same priority.
/// Serilog.Sinks.Console writes what this formats; its own output templates prefix only an event's first line, so an
/// exception's stack would reach journald at the default priority.
/// </summary>
public sealed class ConsoleLineFormatter(bool journal) : ITextFormatter
{
    // As the file renders it: string values literally, without quotes.
    private static readonly MessageTemplateTextFormatter Message = new("{Message:lj}", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var message = new StringWriter(CultureInfo.InvariantCulture);
        Message.Format(logEvent, message);
        if (message.GetStringBuilder().Length == 0 && logEvent.Exception is null)
        {
            return;
        }

        var prefix = journal
            ? $"<{SyslogPriority(logEvent.Level)}>"
            : $"{logEvent.Timestamp:yyyy-MM-dd HH:mm:ss} [{FileLog.LevelWord(logEvent.Level)}] ";
        WriteLines(output, prefix, message.ToString());
        if (logEvent.Exception is not null)
        {
            WriteLines(output, prefix, logEvent.Exception.ToString());
        }
    }

    /// <summary>The syslog priority (sd-daemon(3)) of <paramref name="level"/>: 7 debug … 2 critical.</summary>
    public static int SyslogPriority(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => 7,
        LogEventLevel.Information => 6,
        LogEventLevel.Warning => 4,
        LogEventLevel.Error => 3,
        _ => 2,
    };

    private static void WriteLines(TextWriter writer, string prefix, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        foreach (var line in text.Split('\n'))
        {
            writer.Write(prefix);
            writer.Write(line.TrimEnd('\r'));
            writer.Write('\n');
        }
    }
}
