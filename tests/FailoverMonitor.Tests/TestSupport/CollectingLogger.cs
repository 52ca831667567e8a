using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>One captured log event.</summary>
public sealed record LogEntry(LogLevel Level, EventId EventId, string Message);

/// <summary>An in-memory logger provider: tests assert on event ids and levels, not on console text.</summary>
public sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly object _signalLock = new();
    private TaskCompletionSource _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Entries with event id <paramref name="id"/>.</summary>
    public IReadOnlyList<LogEntry> WithId(int id) => Entries.Where(e => e.EventId.Id == id).ToList();

    /// <summary>Waits (bounded by <paramref name="timeout"/> of real time) until the entries satisfy <paramref name="condition"/>.</summary>
    /// <exception cref="TimeoutException">They did not in time.</exception>
    public async Task WaitForAsync(Func<IReadOnlyList<LogEntry>, bool> condition, TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? FakeTimeProvider.DefaultWait);
        while (true)
        {
            Task logged;
            lock (_signalLock)
            {
                logged = _logged.Task;
            }

            if (condition(Entries))
            {
                return;
            }

            try
            {
                await logged.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("the expected log entries did not come");
            }
        }
    }

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

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception)));
            TaskCompletionSource logged;
            lock (owner._signalLock)
            {
                logged = owner._logged;
                owner._logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            logged.TrySetResult();
        }
    }
}
