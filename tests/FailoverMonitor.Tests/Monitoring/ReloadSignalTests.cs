using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class ReloadSignalTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void TryTake_RequestedOnce_TrueOnceThenFalse()
    {
        var signal = new ReloadSignal(_clock);
        Assert.False(signal.TryTake());

        signal.Request();
        signal.Request();

        Assert.True(signal.TryTake());
        Assert.False(signal.TryTake());
    }

    [Fact]
    public async Task Wait_NoRequest_TrueOnceTheDelayHasPassed()
    {
        var signal = new ReloadSignal(_clock);

        var wait = signal.WaitAsync(Interval, CancellationToken.None);
        await _clock.WaitForTimerAsync(due => due == Interval);
        _clock.Advance(Interval);

        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Wait_RequestWhileWaiting_FalseAtOnceWithoutTheClockMoving()
    {
        var signal = new ReloadSignal(_clock);
        var wait = signal.WaitAsync(Interval, CancellationToken.None);
        await _clock.WaitForTimerAsync(due => due == Interval);

        signal.Request();

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(FakeTimeProvider.Start, _clock.GetUtcNow());
    }

    [Fact]
    public async Task Wait_RequestPending_FalseAtOnceUntilTaken()
    {
        var signal = new ReloadSignal(_clock);
        signal.Request();

        Assert.False(await signal.WaitAsync(Interval, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.True(signal.TryTake());
        var wait = signal.WaitAsync(Interval, CancellationToken.None);
        await _clock.WaitForTimerAsync(due => due == Interval);
        _clock.Advance(Interval);
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Wait_Stopping_Throws()
    {
        var signal = new ReloadSignal(_clock);
        using var stopping = new CancellationTokenSource();
        var wait = signal.WaitAsync(Interval, stopping.Token);
        await _clock.WaitForTimerAsync(due => due == Interval);

        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }
}
