using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Serilog.Events;

namespace FailoverMonitor.Logging;

/// <summary>
/// Console lines that read like the log file's, with no category or event id. When stdout is journald's stream
/// (<see cref="LoggingSetup.IsJournalConsole"/>) a line is <c>&lt;N&gt;message</c>, N being the level's syslog
/// priority, which journald stores as the entry's priority (it adds the time itself); elsewhere, a terminal, it is
/// <c>yyyy-MM-dd HH:mm:ss [LEVEL] message</c> as in the file. A message or an exception of several lines is written
/// as one console line per line, each with the same prefix, so journald keeps every line at the same priority.
/// Our own because the console formatters of Microsoft.Extensions.Logging.Console (AddSystemd selects its "systemd"
/// one) put the category and event id before every message, and Serilog's console sink prefixes only an event's
/// first line, so an exception's stack would reach journald at the default priority.
/// </summary>
public sealed class ConsoleLineFormatter : ConsoleFormatter
{
    /// <summary>The formatter's name, for <see cref="ConsoleLoggerOptions.FormatterName"/>.</summary>
    public const string FormatterName = "failover-monitor";

    private readonly bool _journal;
    private readonly TimeProvider _time;

    /// <summary>A formatter for journald (<paramref name="journal"/>) or a terminal, stamping terminal lines with <paramref name="time"/>'s local time.</summary>
    public ConsoleLineFormatter(bool journal, TimeProvider time)
        : base(FormatterName)
    {
        _journal = journal;
        _time = time;
    }

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var prefix = _journal
            ? $"<{SyslogPriority(logEntry.LogLevel)}>"
            // The level words are the file's: MEL's levels and Serilog's share their order and numbers.
            : $"{_time.GetLocalNow():yyyy-MM-dd HH:mm:ss} [{FileLog.LevelWord((LogEventLevel)logEntry.LogLevel)}] ";
        WriteLines(textWriter, prefix, message);
        if (logEntry.Exception is not null)
        {
            WriteLines(textWriter, prefix, logEntry.Exception.ToString());
        }
    }

    /// <summary>The syslog priority (sd-daemon(3)) of <paramref name="level"/>: 7 debug … 2 critical.</summary>
    public static int SyslogPriority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };

    private static void WriteLines(TextWriter writer, string prefix, string? text)
    {
        if (string.IsNullOrEmpty(text))
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
