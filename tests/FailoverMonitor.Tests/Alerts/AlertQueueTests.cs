using FailoverMonitor.Alerts;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using static FailoverMonitor.Tests.Alerts.AlertFixtures;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Alerts;

/// <summary><see cref="AlertQueue"/>: bounded, never waits, drops the oldest with a counted warning.</summary>
public sealed class AlertQueueTests
{
    private readonly FakeLogCollector _logs = new();

    [Fact]
    public void Enqueue_BelowCapacity_KeepsOrderAndDropsNothing()
    {
        var queue = new AlertQueue(_logs.CreateFactory().CreateLogger<AlertQueue>(), 3);

        queue.Enqueue(Failover("1"));
        queue.Enqueue(Failover("2"));

        Assert.Equal(2, queue.Count);
        Assert.Equal(0, queue.Dropped);
        Assert.True(queue.Reader.TryRead(out var first));
        Assert.Equal("1", first.Reason);
        Assert.Empty(_logs.GetSnapshot());
    }

    [Fact]
    public void Enqueue_Full_DropsOldestAndWarnsWithRunningCount()
    {
        var queue = new AlertQueue(_logs.CreateFactory().CreateLogger<AlertQueue>(), 2);

        for (var i = 1; i <= 5; i++)
        {
            queue.Enqueue(Failover(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(3, queue.Dropped);
        Assert.Equal(2, queue.Count);
        Assert.True(queue.Reader.TryRead(out var a));
        Assert.True(queue.Reader.TryRead(out var b));
        Assert.Equal(["4", "5"], new[] { a.Reason, b.Reason });
        var warnings = _logs.WithId(73);
        Assert.Equal(3, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Equal("Alert queue full (2): dropped the oldest alert (failover for tunnel web); 3 dropped since start", warnings[^1].Message);
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlertQueue(_logs.CreateFactory().CreateLogger<AlertQueue>(), 0));
}
