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

    private Instant _loggedAt;

    /// <summary>When the last good cycle ended; null before the first.</summary>
    public Instant? LastCompleted { get; private set; }

    /// <summary>When the first of the failing cycles in a row ended; null while cycles are good.</summary>
    public Instant? FailingSince { get; private set; }

    /// <summary>Failed cycles in a row; 0 while cycles are good.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Why the last cycle failed; null while cycles are good.</summary>
    public string? LastError { get; private set; }

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
        FailingSince = null;
        ConsecutiveFailures = 0;
        LastError = null;
        WatchdogWithheld = false;
        return failed;
    }

    /// <summary>Records a failed cycle and says what to log: the first failure of a run (or a new reason) in full, then a reminder every <paramref name="reminderInterval"/>.</summary>
    public CycleFailureReport Failed(string error, TimeSpan reminderInterval)
    {
        var now = Instant.Now(time);
        FailingSince ??= now;
        ConsecutiveFailures++;
        var fresh = error != LastError;
        LastError = error;
        if (fresh)
        {
            _loggedAt = now;
            return CycleFailureReport.InFull;
        }

        if (now - _loggedAt >= reminderInterval)
        {
            _loggedAt = now;
            return CycleFailureReport.Reminder;
        }

        return CycleFailureReport.None;
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

/// <summary>What to log about a failed cycle.</summary>
public enum CycleFailureReport
{
    /// <summary>Nothing: the same failure was logged recently.</summary>
    None,

    /// <summary>The failure with its exception: the first of a run, or a new reason.</summary>
    InFull,

    /// <summary>A one-line reminder that cycles still fail.</summary>
    Reminder,
}
