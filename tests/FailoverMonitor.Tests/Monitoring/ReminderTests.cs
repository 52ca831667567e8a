using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class ReminderTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Report_SameProblemEveryMinute_FirstThenAgainOncePerInterval()
    {
        var reminder = new Reminder(_clock, Interval);
        var cues = new List<ReminderCue>();
        for (var minute = 0; minute <= 10; minute++)
        {
            cues.Add(reminder.Report("down"));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(ReminderCue.First, cues[0]);
        Assert.Equal([5, 10], cues.Select((cue, minute) => (cue, minute)).Where(p => p.cue == ReminderCue.Again).Select(p => p.minute));
        Assert.Equal(8, cues.Count(c => c == ReminderCue.None));
        Assert.Equal(FakeTimeProvider.Start, reminder.Since!.Value.Wall);
    }

    [Fact]
    public void Report_ReasonChanges_FirstAgainAndSinceKept()
    {
        var reminder = new Reminder(_clock, Interval);
        reminder.Report("HTTP 500");
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(ReminderCue.First, reminder.Report("HTTP 502"));
        Assert.Equal("HTTP 502", reminder.Key);
        Assert.Equal(FakeTimeProvider.Start, reminder.Since!.Value.Wall);

        // The interval runs from the last time it was said, the change.
        _clock.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(ReminderCue.None, reminder.Report("HTTP 502"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReminderCue.Again, reminder.Report("HTTP 502"));
    }

    [Fact]
    public void Report_ChangeThatIsNoNews_NotSaidButRemembered()
    {
        var reminder = new Reminder(_clock, Interval);
        reminder.Report("HTTP 429");

        Assert.Equal(ReminderCue.None, reminder.Report("rate limited: no request sent", changeIsNews: false));
        Assert.Equal("rate limited: no request sent", reminder.Key);
        Assert.Equal(ReminderCue.First, reminder.Report("HTTP 429"));
    }

    [Fact]
    public void Report_ChangeThatIsNoNewsButNoProblemYet_First()
    {
        var reminder = new Reminder(_clock, Interval);

        Assert.Equal(ReminderCue.First, reminder.Report("rate limited: no request sent", changeIsNews: false));
    }

    [Fact]
    public void Clear_AfterAProblem_TrueOnceThenTheNextProblemIsNewWithItsOwnSince()
    {
        var reminder = new Reminder(_clock, Interval);
        Assert.False(reminder.Clear());
        reminder.Report("down");
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(reminder.Clear());
        Assert.False(reminder.Clear());
        Assert.False(reminder.IsActive);
        Assert.Null(reminder.Key);
        Assert.Equal(ReminderCue.First, reminder.Report("down"));
        Assert.Equal(FakeTimeProvider.Start + TimeSpan.FromMinutes(1), reminder.Since!.Value.Wall);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void Report_WallClockJumpsAnHour_ReminderStillAfterTheIntervalOnTheMonotonicClock(int hours)
    {
        var wall = new WallJumpTimeProvider(_clock);
        var reminder = new Reminder(wall, Interval);
        reminder.Report("down");

        wall.Jump(TimeSpan.FromHours(hours));
        _clock.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(ReminderCue.None, reminder.Report("down"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(ReminderCue.Again, reminder.Report("down"));
    }
}
