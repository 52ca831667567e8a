using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class CycleHealthTests
{
    private readonly FakeTimeProvider _clock = new();

    [Theory]
    [InlineData(1, 30)] // five intervals are less than the floor
    [InlineData(10, 50)]
    public void WatchdogLimit_Interval_FiveIntervalsAtLeastThirtySeconds(int intervalSeconds, int limitSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(limitSeconds), CycleHealth.WatchdogLimit(TimeSpan.FromSeconds(intervalSeconds)));

    [Fact]
    public void Failed_SameErrorAgain_InFullOnceThenReminderAfterTheInterval()
    {
        var health = new CycleHealth(_clock);

        Assert.Equal(ReminderCue.First, health.Failed("boom"));
        _clock.Advance(Reminder.DefaultInterval - TimeSpan.FromSeconds(1));
        Assert.Equal(ReminderCue.None, health.Failed("boom"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReminderCue.Again, health.Failed("boom"));
        Assert.Equal(ReminderCue.First, health.Failed("another"));
        Assert.Equal(4, health.ConsecutiveFailures);
        Assert.Equal(FakeTimeProvider.Start, health.FailingSince!.Value.Wall);
    }

    [Fact]
    public void MayFeedWatchdog_FailingPastTheLimit_WithheldOnceThenFedAfterAGoodCycle()
    {
        var health = new CycleHealth(_clock);
        var interval = TimeSpan.FromSeconds(1);
        health.Failed("boom");

        _clock.Advance(CycleHealth.MinWatchdogLimit - TimeSpan.FromMilliseconds(1));
        Assert.True(health.MayFeedWatchdog(interval, out _));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(health.MayFeedWatchdog(interval, out var first));
        Assert.False(health.MayFeedWatchdog(interval, out var second));
        Assert.True(first);
        Assert.False(second);

        Assert.Equal(1, health.Completed());
        Assert.True(health.MayFeedWatchdog(interval, out _));
        Assert.Null(health.FailingSince);
        Assert.Null(health.LastError);
    }
}
