using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// What tests ask of Microsoft.Extensions.Diagnostics.Testing's <see cref="FakeLogCollector"/>: tests assert on event
/// ids and levels, not on console text.
/// </summary>
public static class FakeLogs
{
    /// <summary>Records with event id <paramref name="id"/>, in order.</summary>
    public static IReadOnlyList<FakeLogRecord> WithId(this FakeLogCollector logs, int id) =>
        logs.GetSnapshot().Where(e => e.Id.Id == id).ToList();

    /// <summary>A factory whose loggers, at every level, write to <paramref name="logs"/>.</summary>
    public static ILoggerFactory CreateFactory(this FakeLogCollector logs) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));

    /// <summary>Waits (bounded by <paramref name="timeout"/> of real time) until the records satisfy <paramref name="condition"/>.</summary>
    /// <exception cref="TimeoutException">They did not in time.</exception>
    public static async Task WaitForAsync(this FakeLogCollector logs, Func<IReadOnlyList<FakeLogRecord>, bool> condition, TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? FakeTimeProvider.DefaultWait);
        try
        {
            // The stream starts with the records collected so far, so none logged before the first look is missed.
            await foreach (var _ in logs.GetLogsAsync(bound.Token))
            {
                if (condition(logs.GetSnapshot()))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the expected log records did not come");
        }
    }
}
