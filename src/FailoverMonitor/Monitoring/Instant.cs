using System.Globalization;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// A point in time as the decision rules see it: <see cref="Monotonic"/> (from <see cref="TimeProvider.GetTimestamp"/>)
/// for every interval, window and back-off, and the wall time it had then (<see cref="Wall"/>) for display only.
/// A wall clock set back or forward by an hour (NTP, an operator, a board without a real-time clock) moves no
/// decision. Differences and comparisons use <see cref="Monotonic"/>; formatting shows <see cref="Wall"/>.
/// </summary>
/// <param name="Monotonic">Time on the monotonic clock, from an arbitrary origin fixed for the process.</param>
/// <param name="Wall">The wall-clock time (UTC) at that moment, or shifted by the same span as <see cref="Monotonic"/>.</param>
public readonly record struct Instant(TimeSpan Monotonic, DateTimeOffset Wall) : IComparable<Instant>, IFormattable
{
    /// <summary>Now on <paramref name="time"/>'s monotonic and wall clocks.</summary>
    public static Instant Now(TimeProvider time) => new(time.GetElapsedTime(0, time.GetTimestamp()), time.GetUtcNow());

    /// <summary>The instant <paramref name="span"/> later.</summary>
    public static Instant operator +(Instant instant, TimeSpan span) => new(instant.Monotonic + span, instant.Wall + span);

    /// <summary>The instant <paramref name="span"/> earlier.</summary>
    public static Instant operator -(Instant instant, TimeSpan span) => new(instant.Monotonic - span, instant.Wall - span);

    /// <summary>Monotonic time elapsed from <paramref name="earlier"/> to <paramref name="later"/>.</summary>
    public static TimeSpan operator -(Instant later, Instant earlier) => later.Monotonic - earlier.Monotonic;

    /// <summary>Whether <paramref name="left"/> comes first on the monotonic clock.</summary>
    public static bool operator <(Instant left, Instant right) => left.Monotonic < right.Monotonic;

    /// <summary>Whether <paramref name="left"/> comes later on the monotonic clock.</summary>
    public static bool operator >(Instant left, Instant right) => left.Monotonic > right.Monotonic;

    /// <summary>Whether <paramref name="left"/> comes first or at the same time on the monotonic clock.</summary>
    public static bool operator <=(Instant left, Instant right) => left.Monotonic <= right.Monotonic;

    /// <summary>Whether <paramref name="left"/> comes later or at the same time on the monotonic clock.</summary>
    public static bool operator >=(Instant left, Instant right) => left.Monotonic >= right.Monotonic;

    /// <inheritdoc />
    public int CompareTo(Instant other) => Monotonic.CompareTo(other.Monotonic);

    /// <summary>The wall time in <paramref name="format"/> (as <see cref="DateTimeOffset"/> formats it).</summary>
    public string ToString(string? format, IFormatProvider? formatProvider) => Wall.ToString(format, formatProvider ?? CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => Wall.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
