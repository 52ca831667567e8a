using FailoverMonitor.Runtime;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Runtime;

public sealed class MemoryHousekeepingTests
{
    [Fact]
    public async Task ExecuteAsync_FirstDelayThenEachIntervalElapsed_CollectsOnceEachAndReleasesStartupPagesOnce()
    {
        var time = new FakeTimeProvider();
        var collections = 0;
        var releases = 0;
        var collected = new SemaphoreSlim(0);
        using var housekeeping = new MemoryHousekeeping(time, () =>
        {
            Interlocked.Increment(ref collections);
            collected.Release();
        }, () => Interlocked.Increment(ref releases));

        await housekeeping.StartAsync(TestContext.Current.CancellationToken);
        await time.WaitForTimerAsync(due => due == MemoryHousekeeping.FirstDelay);
        time.Advance(MemoryHousekeeping.FirstDelay - TimeSpan.FromSeconds(1));
        Assert.Equal(0, Volatile.Read(ref collections));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await collected.WaitAsync(FakeTimeProvider.DefaultWait, TestContext.Current.CancellationToken));
        await time.WaitForTimerAsync(due => due == MemoryHousekeeping.Interval);
        time.Advance(MemoryHousekeeping.Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(1, Volatile.Read(ref collections));
        Assert.Equal(1, Volatile.Read(ref releases));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await collected.WaitAsync(FakeTimeProvider.DefaultWait, TestContext.Current.CancellationToken));
        time.Advance(MemoryHousekeeping.Interval);
        Assert.True(await collected.WaitAsync(FakeTimeProvider.DefaultWait, TestContext.Current.CancellationToken));

        await housekeeping.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3, Volatile.Read(ref collections));
        Assert.Equal(1, Volatile.Read(ref releases));
    }

    [Fact]
    public async Task StopAsync_WhileWaiting_EndsWithoutCollecting()
    {
        var time = new FakeTimeProvider();
        var collections = 0;
        using var housekeeping = new MemoryHousekeeping(time, () => Interlocked.Increment(ref collections), () => Interlocked.Increment(ref collections));

        await housekeeping.StartAsync(TestContext.Current.CancellationToken);
        await time.WaitForTimerAsync(due => due == MemoryHousekeeping.FirstDelay);
        await housekeeping.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(housekeeping.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Equal(0, collections);
    }
}
