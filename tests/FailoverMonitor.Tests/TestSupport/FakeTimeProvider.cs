namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// A manual clock. Starts at a fixed instant; <see cref="GetUtcNow"/> and <see cref="GetTimestamp"/> agree;
/// timers fire only from <see cref="Advance"/>, in due order, periodic ones re-armed, callbacks run outside the lock.
/// (Microsoft.Extensions.TimeProvider.Testing is not on our package source.)
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    /// <summary>The instant every fake clock starts at.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly object _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now = Start;
    private TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Timers currently armed, with their due times relative to now.</summary>
    public IReadOnlyList<TimeSpan> ArmedTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Select(t => t.DueAt - _now).ToList();
            }
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan delta)
    {
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }

        while (true)
        {
            FakeTimer? due;
            lock (_lock)
            {
                due = _timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
                if (due is null)
                {
                    _now = target;
                    return;
                }

                if (due.DueAt > _now)
                {
                    _now = due.DueAt;
                }

                if (due.Period > TimeSpan.Zero && due.Period != Timeout.InfiniteTimeSpan)
                {
                    due.DueAt += due.Period;
                }
                else
                {
                    _timers.Remove(due);
                }
            }

            due.Fire();
        }
    }

    /// <summary>
    /// Waits (bounded by <paramref name="timeout"/> of real time) until a timer whose due time satisfies
    /// <paramref name="match"/> is armed — e.g. the loop parked on its interval delay.
    /// </summary>
    /// <exception cref="TimeoutException">No such timer was armed in time.</exception>
    public async Task WaitForTimerAsync(Func<TimeSpan, bool> match, TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            Task armed;
            lock (_lock)
            {
                if (_timers.Any(t => match(t.DueAt - _now)))
                {
                    return;
                }

                armed = _armed.Task;
            }

            try
            {
                await armed.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no matching timer was armed");
            }
        }
    }

    /// <summary>
    /// Advances the clock in <paramref name="step"/>s until <paramref name="task"/> completes, for code that waits
    /// on timers between real I/O (retries, timeouts). Bounded by <paramref name="maxSteps"/>.
    /// </summary>
    public async Task<T> AdvanceUntilAsync<T>(Task<T> task, TimeSpan step, int maxSteps = 1000)
    {
        for (var i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            // Lets real I/O progress between steps; the timing under test is the fake clock's.
            await Task.WhenAny(task, Task.Delay(5));
            if (!task.IsCompleted)
            {
                Advance(step);
            }
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private void Arm(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        TaskCompletionSource armed;
        lock (_lock)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.DueAt = _now + dueTime;
            timer.Period = period;
            _timers.Add(timer);
            armed = _armed;
            _armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        armed.TrySetResult();
    }

    private void Disarm(FakeTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Arm(this, dueTime, period);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Disarm(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
