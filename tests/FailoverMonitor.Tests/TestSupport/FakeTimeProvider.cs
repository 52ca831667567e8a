namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// Microsoft.Extensions.TimeProvider.Testing's fake clock, started at <see cref="Start"/>, plus the one thing it
/// lacks: it shows none of its armed timers, so a test could not tell when the code under test is parked on a delay.
/// This subclass watches the timers it creates, telling delays (Task.Delay, back-offs, a loop's wait) from timeouts
/// (timers of a CancellationTokenSource), so a test moves the clock only once the code is parked on a delay, never
/// while real I/O is in flight. The library fires the timers; this class only keeps count of them.
/// </summary>
public sealed class FakeTimeProvider : Microsoft.Extensions.Time.Testing.FakeTimeProvider
{
    /// <summary>The instant every fake clock starts at.</summary>
    public static new readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The real-time bound of every wait here unless a test gives its own.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private readonly object _lock = new();

    // Held while the clock moves and while a timer is armed, so a due time noted here is the one the library uses.
    private readonly object _advancing = new();
    private readonly List<WatchedTimer> _armed = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A clock at <see cref="Start"/>.</summary>
    public FakeTimeProvider()
        : base(Start)
    {
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new WatchedTimer(this, isTimeout: state is CancellationTokenSource);
        lock (_advancing)
        {
            Arm(timer, dueTime, period);
            timer.Inner = base.CreateTimer(s => Fired(timer, callback, s), state, dueTime, period);
        }

        return timer;
    }

    /// <summary>Moves the clock forward as the library's Advance does, firing what falls due, but never while a timer is being armed.</summary>
    public new void Advance(TimeSpan delta)
    {
        lock (_advancing)
        {
            base.Advance(delta);
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
            Task changed;
            lock (_lock)
            {
                var now = GetUtcNow();
                if (_armed.Any(t => (!delaysOnly || !t.IsTimeout) && match(t.DueAt - now)))
                {
                    return;
                }

                changed = _changed.Task;
            }

            await Bounded(changed, bound, "no matching timer was armed");
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
            Task changed;
            TimeSpan? next;
            lock (_lock)
            {
                next = NextDelay();
                changed = _changed.Task;
            }

            if (next is { } due)
            {
                fired?.Invoke(due);
                Advance(due);
                continue;
            }

            await Bounded(Task.WhenAny(task, changed), bound, "the task did not complete in time");
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

    private static async Task Bounded(Task wait, CancellationTokenSource bound, string failure)
    {
        try
        {
            await wait.WaitAsync(bound.Token);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            throw new TimeoutException(failure);
        }
    }

    private TimeSpan? NextDelay()
    {
        var now = GetUtcNow();
        var delays = _armed.Where(t => !t.IsTimeout).Select(t => t.DueAt - now).ToList();
        return delays.Count == 0 ? null : TimeSpan.FromTicks(Math.Max(0, delays.Min().Ticks));
    }

    private void Arm(WatchedTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _armed.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.DueAt = GetUtcNow() + dueTime;
            timer.Period = period > TimeSpan.Zero ? period : TimeSpan.Zero;
            _armed.Add(timer);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    // The library calls this when the timer falls due; it re-arms a periodic timer by its period, as done here.
    private void Fired(WatchedTimer timer, TimerCallback callback, object? state)
    {
        lock (_lock)
        {
            if (timer.Period > TimeSpan.Zero)
            {
                timer.DueAt += timer.Period;
            }
            else
            {
                _armed.Remove(timer);
            }
        }

        callback(state);
    }

    private void Disarm(WatchedTimer timer)
    {
        lock (_lock)
        {
            _armed.Remove(timer);
        }
    }

    /// <summary>The library's timer with its due time in view; the list of armed ones holds it, as a real timer queue would.</summary>
    private sealed class WatchedTimer(FakeTimeProvider owner, bool isTimeout) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        /// <summary>A CancellationTokenSource's timer (a timeout: passes its own instance as the state), not a delay.</summary>
        public bool IsTimeout { get; } = isTimeout;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._advancing)
            {
                owner.Arm(this, dueTime, period);
                return Inner.Change(dueTime, period);
            }
        }

        public void Dispose()
        {
            owner.Disarm(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
