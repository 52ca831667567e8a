namespace FailoverMonitor.Monitoring;

/// <summary>
/// "Say it once, then remind every <see cref="Interval"/>" for a problem that persists across cycles (a tunnel's
/// status unknown, the gateway unreachable, check cycles failing), so a lasting problem neither fills the log with a
/// line per cycle nor goes silent. <see cref="Since"/> is when the problem began; a change of its
/// <see cref="Key"/> (another reason) is said again in full but does not move <see cref="Since"/>. Spans are taken
/// on the monotonic clock (<see cref="Instant"/>): a wall clock set back or forward brings no reminder early or late.
/// </summary>
public sealed class Reminder(TimeProvider time, TimeSpan interval)
{
    /// <summary>The reminder interval of every persisting problem the monitor logs: 5 minutes.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    private Instant _saidAt;

    /// <summary>Time between two reminders of the same problem.</summary>
    public TimeSpan Interval { get; } = interval;

    /// <summary>When the problem began; null while there is none.</summary>
    public Instant? Since { get; private set; }

    /// <summary>The problem last reported (its reason as text); null while there is none.</summary>
    public string? Key { get; private set; }

    /// <summary>Whether a problem is being reported.</summary>
    public bool IsActive => Since is not null;

    /// <summary>
    /// Records that the problem <paramref name="key"/> persists now. A key other than the last one is news,
    /// unless <paramref name="changeIsNews"/> is false (a reason that only says why nothing was asked this time).
    /// </summary>
    /// <returns>
    /// <see cref="ReminderCue.First"/> for a new problem (or news), <see cref="ReminderCue.Again"/> once
    /// <see cref="Interval"/> has passed since it was last said, else <see cref="ReminderCue.None"/>.
    /// </returns>
    public ReminderCue Report(string key, bool changeIsNews = true)
    {
        var now = Instant.Now(time);
        var news = Since is null || (changeIsNews && key != Key);
        Since ??= now;
        Key = key;
        if (news)
        {
            _saidAt = now;
            return ReminderCue.First;
        }

        if (now - _saidAt >= Interval)
        {
            _saidAt = now;
            return ReminderCue.Again;
        }

        return ReminderCue.None;
    }

    /// <summary>Ends the problem.</summary>
    /// <returns>Whether there was one (time to say it is over).</returns>
    public bool Clear()
    {
        var active = IsActive;
        Since = null;
        Key = null;
        return active;
    }
}

/// <summary>What to say about a persisting problem, as <see cref="Reminder.Report"/> decides.</summary>
public enum ReminderCue
{
    /// <summary>Nothing: it was said recently.</summary>
    None,

    /// <summary>The problem in full: it is new, or its reason changed.</summary>
    First,

    /// <summary>A one-line reminder that it persists.</summary>
    Again,
}
