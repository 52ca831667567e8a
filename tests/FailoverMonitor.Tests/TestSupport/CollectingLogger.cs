using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>One captured log event.</summary>
public sealed record LogEntry(LogLevel Level, EventId EventId, string Message);

/// <summary>An in-memory logger provider: tests assert on event ids and levels, not on console text.</summary>
public sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Entries with event id <paramref name="id"/>.</summary>
    public IReadOnlyList<LogEntry> WithId(int id) => Entries.Where(e => e.EventId.Id == id).ToList();

    /// <summary>A factory whose loggers all write here.</summary>
    public ILoggerFactory CreateFactory() => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(CollectingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception)));
    }
}
