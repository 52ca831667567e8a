namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> whose wall clock can be set back or forward (<see cref="Jump"/>) while its
/// monotonic timestamp and its timers go on undisturbed, as the system's do when NTP or an operator sets the time.
/// The fake itself only moves forward, both clocks together.
/// </summary>
public sealed class WallJumpTimeProvider(FakeTimeProvider inner) : TimeProvider
{
    private long _offsetTicks;

    /// <summary>The clock whose timestamp and timers this one shares.</summary>
    public FakeTimeProvider Inner => inner;

    /// <summary>Sets the wall clock <paramref name="delta"/> on (negative: back); the timestamp does not move.</summary>
    public void Jump(TimeSpan delta) => Interlocked.Add(ref _offsetTicks, delta.Ticks);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <inheritdoc />
    public override long GetTimestamp() => inner.GetTimestamp();

    /// <inheritdoc />
    public override long TimestampFrequency => inner.TimestampFrequency;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
