namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// A manual clock. Starts at a fixed instant; <see cref="GetUtcNow"/> and <see cref="GetTimestamp"/> agree;
/// timers fire only from <see cref="Advance"/>, in due order, periodic ones re-armed, callbacks run outside the lock.
/// It tells delays (Task.Delay, back-offs, a loop's wait) from timeouts (timers of a CancellationTokenSource), so
/// a test can move the clock only once the code under test is parked on a delay, never while real I/O is in
/// flight. Microsoft.Extensions.TimeProvider.Testing's FakeTimeProvider shows none of its armed timers, which is
/// what these waits need, so this one stays.
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    /// <summary>The instant every fake clock starts at.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The real-time bound of every wait here unless a test gives its own.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

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
    /// <paramref name="match"/> is armed — e.g. the loop parked on its interval delay. With
    /// <paramref name="delaysOnly"/>, timeouts do not count.
    /// </summary>
    /// <exception cref="TimeoutException">No such timer was armed in time.</exception>
    public async Task WaitForTimerAsync(Func<TimeSpan, bool> match, TimeSpan? timeout = null, bool delaysOnly = false)
    {
        using var bound = new CancellationTokenSource(timeout ?? DefaultWait);
        while (true)
        {
            Task armed;
            lock (_lock)
            {
                if (_timers.Any(t => (!delaysOnly || !t.IsTimeout) && match(t.DueAt - _now)))
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
    /// Completes <paramref name="task"/>, moving the clock only while the code under test is parked on a delay
    /// (a back-off, a poll interval, a loop's wait): each time a delay is armed, the clock moves exactly to it.
    /// Nothing moves while real I/O is in flight, so a timeout fires only where it falls due before a delay.
    /// Each delay fired is passed to <paramref name="fired"/>. Bounded by <paramref name="timeout"/> of real time.
    /// </summary>
    /// <exception cref="TimeoutException">The task did not complete in time.</exception>
    public async Task FireDelaysUntilAsync(Task task, Action<TimeSpan>? fired = null, TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? DefaultWait);
        while (!task.IsCompleted)
        {
            Task armed;
            TimeSpan? next;
            lock (_lock)
            {
                next = NextDelay();
                armed = _armed.Task;
            }

            if (next is { } due)
            {
                fired?.Invoke(due);
                Advance(due);
                continue;
            }

            try
            {
                await Task.WhenAny(task, armed).WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("the task did not complete in time");
            }
        }

        await task;
    }

    /// <inheritdoc cref="FireDelaysUntilAsync(Task, Action{TimeSpan}?, TimeSpan?)"/>
    public async Task<T> FireDelaysUntilAsync<T>(Task<T> task, Action<TimeSpan>? fired = null, TimeSpan? timeout = null)
    {
        await FireDelaysUntilAsync((Task)task, fired, timeout);
        return await task;
    }

    /// <summary>Waits until a delay (not a timeout) is armed, moves the clock to it and returns how far that was.</summary>
    /// <exception cref="TimeoutException">No delay was armed in time.</exception>
    public async Task<TimeSpan> FireNextDelayAsync(TimeSpan? timeout = null)
    {
        await WaitForTimerAsync(_ => true, timeout, delaysOnly: true);
        TimeSpan due;
        lock (_lock)
        {
            due = NextDelay()!.Value;
        }

        Advance(due);
        return due;
    }

    private TimeSpan? NextDelay()
    {
        var delays = _timers.Where(t => !t.IsTimeout).Select(t => t.DueAt - _now).ToList();
        return delays.Count == 0 ? null : TimeSpan.FromTicks(Math.Max(0, delays.Min().Ticks));
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

        /// <summary>A CancellationTokenSource's timer (a timeout: passes its own instance as the state), not a delay.</summary>
        public bool IsTimeout { get; } = state is CancellationTokenSource;

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
