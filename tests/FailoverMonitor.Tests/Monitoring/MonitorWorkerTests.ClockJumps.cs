using FailoverMonitor.Gateway;
using FailoverMonitor.Monitoring;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>
/// The wall clock set an hour back or forward while the monitor runs (NTP, an operator): no action results, and
/// every interval (min_action_interval, back-offs, the hold's hour, backup_connect_timeout, reminders, the loop's
/// rhythm) runs on the monotonic clock. <see cref="TestSupport.WallJumpTimeProvider"/> moves only the wall clock.
/// </summary>
public sealed partial class MonitorWorkerTests
{
    private static readonly TimeSpan AnHour = TimeSpan.FromHours(1);

    [Fact]
    public async Task Cycle_WallClockJumpsAnHourForwardAfterFailover_StopStillWaitsForMinActionInterval()
    {
        // Default min_action_interval 30 s, measured from the start on the monotonic clock.
        await using var h = await MonitorHarness.StartAsync();
        var startedAt = await h.FailOverAsync();
        h.PrimaryReturns();

        h.Wall.Jump(AnHour);
        await h.CycleAsync(29);
        Assert.Equal(0, h.Units.Count("stop"));
        h.Wall.Jump(-2 * AnHour);
        await h.CycleAsync();

        Assert.Equal(1, h.Units.Count("stop"));
        Assert.Equal(startedAt + TimeSpan.FromSeconds(30), h.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Cycle_WallClockJumpsAnHourBackAfterAFailedStart_RetriedAfterTheBackoff()
    {
        await using var h = await MonitorHarness.StartAsync();
        h.Units.FailStarts = true;
        await h.FailOverAsync();
        Assert.Equal(1, h.Units.Count("start"));
        h.Units.FailStarts = false;

        // Back-off max(check_interval, 5 s) = 5 s: the cycles 1 to 4 s later wait, the one 5 s later starts.
        h.Wall.Jump(-AnHour);
        await h.CycleAsync(4);
        Assert.Equal(1, h.Units.Count("start"));
        await h.CycleAsync();

        Assert.Equal(2, h.Units.Count("start"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Cycle_WallClockJumpsAnHourForwardWhileHeld_HoldStays()
    {
        await using var h = await StartHeldAsync();

        h.Wall.Jump(AnHour);
        await h.CycleAsync(3);

        Assert.NotNull(h.Worker.States[h.Tunnel.TunnelId].HeldSince);
        Assert.Empty(h.Logs.WithId(HoldReleased));
        Assert.Equal(1, h.Units.Count("stop"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Cycle_WallClockJumpsAnHourForward_NoRestartBeforeConnectTimeout()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o["backup_connect_timeout"] = 5);
        h.Units.OnStart = _ => { }; // the unit runs, but no connector ever joins the tunnel
        await h.FailOverAsync();

        h.Wall.Jump(AnHour);
        await h.CycleAsync(4);
        Assert.Equal(0, h.Units.Count("restart"));
        await h.CycleAsync();

        Assert.Equal(1, h.Units.Count("restart"));
    }

    [Fact]
    public async Task Cycle_WallClockJumpsAnHourForwardWhileGatewayUnreachable_NoEarlyReminder()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o["check_interval"] = 10);
        await h.Worker.InitializeAsync(CancellationToken.None);
        h.Gateway.Answer = new GatewayProbeResult(false, "TimedOut");
        await h.CycleAsync();

        h.Wall.Jump(AnHour);
        await h.CycleAsync(3);

        Assert.Empty(h.Logs.WithId(GatewayStillUnreachable));
        Assert.Single(h.Logs.WithId(GatewayUnreachable));
    }

    [Fact]
    public async Task Cycle_WallClockJumpsWhileHealthy_NoAction()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync(3);

        h.Wall.Jump(-AnHour);
        await h.CycleAsync(3);
        h.Wall.Jump(2 * AnHour);
        await h.CycleAsync(3);

        Assert.Equal(0, h.Units.Runner.Calls.Count(c => c.Arguments[0] is "start" or "stop" or "restart"));
        Assert.DoesNotContain(h.Logs.GetSnapshot(), e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task Loop_WallClockJumpsAnHour_NextCheckStillOneIntervalLater(int hours)
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o["check_interval"] = 3);
        var interval = TimeSpan.FromSeconds(3);
        await h.Worker.StartAsync(CancellationToken.None);
        await h.Clock.WaitForTimerAsync(due => due == interval);
        h.Api.ClearRequests();

        h.Wall.Jump(TimeSpan.FromHours(hours));
        h.Clock.Advance(interval);
        await h.Clock.WaitForTimerAsync(due => due == interval);
        Assert.Equal(1, h.Api.CountRequests());
        h.Clock.Advance(interval);
        await h.Clock.WaitForTimerAsync(due => due == interval);

        Assert.Equal(2, h.Api.CountRequests());
        await h.Worker.StopAsync(CancellationToken.None);
    }
}
