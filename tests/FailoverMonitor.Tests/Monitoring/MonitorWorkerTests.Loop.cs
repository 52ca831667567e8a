using FakeCloudflareApi;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>The real loop on the fake clock (confirmation checks, reload wake-up) and the start-up checks before it.</summary>
public sealed partial class MonitorWorkerTests
{
    private const int UnitMissing = 37;
    private const int TokenUnusable = 45;

    [Theory]
    [InlineData(1, 4)] // one interval (3 s) + confirm_delay (1 s)
    [InlineData(0, 6)] // confirmation off: two intervals
    public async Task Loop_PrimaryLeaves_FailoverAfterOneIntervalPlusConfirmDelay(double confirmDelay, int expectedSeconds)
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => { o["check_interval"] = 3; o["confirm_delay"] = confirmDelay; });
        var interval = TimeSpan.FromSeconds(3);
        await h.Worker.StartAsync(CancellationToken.None);
        await h.Clock.WaitForTimerAsync(due => due == interval);
        h.PrimaryLeaves();
        var left = h.Clock.GetUtcNow();

        // Fire whatever the loop is parked on, one wait at a time, until the backup is started; after each, let the
        // cycle finish (the loop parks on its next wait) before looking.
        for (var i = 0; i < 10 && h.Units.Count("start") == 0; i++)
        {
            await h.Clock.FireNextDelayAsync();
            await h.Clock.WaitForTimerAsync(_ => true, delaysOnly: true);
        }

        Assert.Equal(1, h.Units.Count("start"));
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), h.Clock.GetUtcNow() - left);
        await h.Worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Loop_FirstFailedCheck_RecheckedAfterConfirmDelay_HealthyWaitsAWholeInterval()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => { o["check_interval"] = 3; o["confirm_delay"] = 1; });
        var (interval, confirm) = (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        await h.Worker.StartAsync(CancellationToken.None);
        await h.Clock.WaitForTimerAsync(due => due == interval);
        h.Api.ClearRequests();

        // Healthy: the loop sleeps a whole interval, no confirmation request in between.
        h.Clock.Advance(interval);
        await h.Clock.WaitForTimerAsync(due => due == interval);
        Assert.Equal(1, h.Api.CountRequests());

        // First failed check: the loop re-checks after confirm_delay instead.
        h.PrimaryLeaves();
        h.Clock.Advance(interval);
        await h.Clock.WaitForTimerAsync(due => due == confirm);
        Assert.Equal(2, h.Api.CountRequests());
        Assert.Equal(0, h.Units.Count("start"));
        await h.Worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Loop_ReloadRequestedWhileWaiting_AppliedAndCheckedAtOnce()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o["check_interval"] = 3);
        await h.Worker.StartAsync(CancellationToken.None);
        await h.Clock.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(3));
        h.Api.ClearRequests();
        var before = h.Clock.GetUtcNow();
        EditConfig(h, o => o["heartbeat_interval"] = 60);

        h.Worker.RequestReload();

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await h.Api.WaitForRequestAsync(ct: bound.Token);
        Assert.Single(h.Logs.WithId(Reloaded));
        Assert.Equal(before, h.Clock.GetUtcNow());
        await h.Worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Initialize_TokenRejected_ErrorBeforeTheFirstCycle()
    {
        await using var h = await MonitorHarness.StartAsync();
        h.Api.InjectFault(new FakeFault(FaultKind.Status, StatusCode: 401, PathContains: "/tokens/verify"));

        await h.Worker.InitializeAsync(CancellationToken.None);

        var error = Assert.Single(h.Logs.WithId(TokenUnusable));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.StartsWith("API token of tunnel(s) web0 is not usable: HTTP 401", error.Message);
        Assert.DoesNotContain(MonitorHarness.Token, error.Message);
        Assert.Equal(0, h.Api.CountRequests(r => r.Path.Contains("/cfd_tunnel", StringComparison.Ordinal)));
        Assert.Empty(h.Logs.WithId(StatusChanged));
    }

    [Fact]
    public async Task Initialize_UnitMissing_ErrorNamingTheUnit()
    {
        await using var h = await MonitorHarness.StartAsync();
        h.Units.Missing.Add("cloudflared-backup0");

        await h.Worker.InitializeAsync(CancellationToken.None);

        var missing = Assert.Single(h.Logs.WithId(UnitMissing));
        Assert.Equal(LogLevel.Error, missing.Level);
        Assert.StartsWith("Tunnel web0: local service cloudflared-backup0 does not exist (systemd LoadState=not-found)", missing.Message);
    }
}
