namespace FailoverMonitor.Monitoring;

/// <summary>
/// Whether the check loop still gets through its cycles. A cycle is good when no exception escapes it: a gateway
/// that does not answer or an API that gives no usable answer still makes a good cycle (the loop works, the world
/// does not). While cycles fail it keeps since when, how many in a row and why, for <c>status</c>, STATUS= and
/// the log; and it withholds WATCHDOG=1 once they have failed without a break for <see cref="WatchdogIntervals"/>
/// check intervals (at least <see cref="MinWatchdogLimit"/>), so that systemd (WatchdogSec=) restarts a daemon
/// that only looks alive. Spans are on the monotonic clock (<see cref="Instant"/>): a wall clock set back or
/// forward changes none.
/// </summary>
public sealed class CycleHealth(TimeProvider time)
{
    /// <summary>Check intervals of failing cycles without a break after which WATCHDOG=1 is no longer sent.</summary>
    public const int WatchdogIntervals = 5;

    /// <summary>The least time of failing cycles after which WATCHDOG=1 is no longer sent (for short intervals).</summary>
    public static readonly TimeSpan MinWatchdogLimit = TimeSpan.FromSeconds(30);

    private readonly Reminder _failing = new(time, Reminder.DefaultInterval);

    /// <summary>When the last good cycle ended; null before the first.</summary>
    public Instant? LastCompleted { get; private set; }

    /// <summary>When the first of the failing cycles in a row ended; null while cycles are good.</summary>
    public Instant? FailingSince => _failing.Since;

    /// <summary>Failed cycles in a row; 0 while cycles are good.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Why the last cycle failed; null while cycles are good.</summary>
    public string? LastError => _failing.Key;

    /// <summary>Whether WATCHDOG=1 is being withheld.</summary>
    public bool WatchdogWithheld { get; private set; }

    /// <summary>How long cycles may fail without a break before WATCHDOG=1 is withheld, at <paramref name="interval"/>.</summary>
    public static TimeSpan WatchdogLimit(TimeSpan interval) =>
        interval * WatchdogIntervals > MinWatchdogLimit ? interval * WatchdogIntervals : MinWatchdogLimit;

    /// <summary>Records a good cycle.</summary>
    /// <returns>How many cycles had failed in a row before it (0: nothing to report).</returns>
    public int Completed()
    {
        var failed = ConsecutiveFailures;
        LastCompleted = Instant.Now(time);
        _failing.Clear();
        ConsecutiveFailures = 0;
        WatchdogWithheld = false;
        return failed;
    }

    /// <summary>Records a failed cycle and says what to log: the first failure of a run (or a new reason) in full, then a reminder every <see cref="Reminder.DefaultInterval"/>.</summary>
    public ReminderCue Failed(string error)
    {
        ConsecutiveFailures++;
        return _failing.Report(error);
    }

    /// <summary>Whether WATCHDOG=1 may be sent now at check <paramref name="interval"/>; <paramref name="newlyWithheld"/> is true the first time it may not.</summary>
    public bool MayFeedWatchdog(TimeSpan interval, out bool newlyWithheld)
    {
        var feed = FailingSince is not { } since || Instant.Now(time) - since < WatchdogLimit(interval);
        newlyWithheld = !feed && !WatchdogWithheld;
        WatchdogWithheld = !feed;
        return feed;
    }
}
