using FailoverMonitor.Monitoring;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>The worker under the flap guard's hold, and restarting a backup that never connects.</summary>
public sealed partial class MonitorWorkerTests
{
    private const int CountingTowardAction = 15;
    private const int RestartingBackup = 28;
    private const int Hold = 35;
    private const int HoldReleased = 36;

    [Fact]
    public async Task Cycle_ActionBeyondMaxActionsPerHour_CriticalHoldOnce_NoSystemctlActionFollows()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => (o.MaxActionsPerHour, o.MinActionInterval) = (2, 0));
        await h.Worker.InitializeAsync(CancellationToken.None);

        await DriveIntoHoldAsync(h);

        var hold = Assert.Single(h.Logs.WithId(Hold));
        Assert.Equal(LogLevel.Critical, hold.Level);
        Assert.StartsWith("Tunnel web0 on hold: 2 actions within the last hour reached max_actions_per_hour 2", hold.Message);
        Assert.Contains("Local service cloudflared-backup0 stays inactive", hold.Message);
        Assert.NotNull(h.Worker.States[h.Tunnel.TunnelId!].HeldSince);

        // The primary stays away: still no start, and the CRITICAL line is not repeated.
        await h.CycleAsync(30);
        Assert.Single(h.Logs.WithId(Hold));
        Assert.Equal(1, h.Units.Count("start"));
        Assert.Equal(1, h.Units.Count("stop"));
        Assert.Equal(0, h.Units.Count("restart"));
        Assert.False(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Cycle_WhileHeld_NoInformationLinePerCycle()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => (o.MaxActionsPerHour, o.MinActionInterval) = (2, 0));
        await h.Worker.InitializeAsync(CancellationToken.None);
        await DriveIntoHoldAsync(h);
        var before = h.Logs.Entries.Count(e => e.Level >= LogLevel.Information);

        await h.CycleAsync(20);

        // One line on entry (the CRITICAL one) is enough; a reminder at most every few minutes, never one per cycle.
        var lines = h.Logs.Entries.Skip(before).Where(e => e.Level >= LogLevel.Information).Select(e => $"{e.EventId.Id}: {e.Message}").ToList();
        Assert.Empty(lines);
    }

    [Fact]
    public async Task Cycle_HourAfterHold_ReleasedAndFailsOver()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => (o.MaxActionsPerHour, o.MinActionInterval) = (2, 0));
        await h.Worker.InitializeAsync(CancellationToken.None);
        await DriveIntoHoldAsync(h);
        await h.CycleAsync(5);
        Assert.Empty(h.Logs.WithId(HoldReleased));

        h.Clock.Advance(PolicySettings.HoldWindow);
        await h.CycleAsync();

        Assert.Equal(LogLevel.Information, Assert.Single(h.Logs.WithId(HoldReleased)).Level);
        Assert.Null(h.Worker.States[h.Tunnel.TunnelId!].HeldSince);
        Assert.Equal(2, h.Units.Count("start"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Cycle_OppositeActionWithinMinActionInterval_WaitsThenActs()
    {
        // Default min_action_interval 30 s: a failback 3 s after the failover waits until 30 s have passed.
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        h.PrimaryLeaves();
        await h.CycleAsync(2);
        var startedAt = h.Clock.GetUtcNow() - TimeSpan.FromSeconds(1);
        h.PrimaryReturns();

        await h.CycleAsync(29);

        Assert.Equal(0, h.Units.Count("stop"));
        Assert.Contains(h.Logs.WithId(CountingTowardAction), e => e.Message.Contains("flap guard:", StringComparison.Ordinal));
        await h.CycleAsync();
        Assert.Equal(1, h.Units.Count("stop"));
        Assert.Equal(startedAt + TimeSpan.FromSeconds(30), h.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Cycle_BackupActiveButNeverConnects_RestartedAfterConnectTimeoutThenBackedOff()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o.BackupConnectTimeout = 5);
        await h.Worker.InitializeAsync(CancellationToken.None);
        h.Units.OnStart = _ => { }; // the unit runs, but no connector ever joins the tunnel
        h.PrimaryLeaves();
        await h.CycleAsync(2);
        Assert.Equal(1, h.Units.Count("start"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));

        await h.CycleAsync(4);
        Assert.Equal(0, h.Units.Count("restart"));
        await h.CycleAsync();

        var restarting = Assert.Single(h.Logs.WithId(RestartingBackup));
        Assert.Equal(LogLevel.Error, restarting.Level);
        Assert.StartsWith("Tunnel web0 backup not connected. Restarting local service cloudflared-backup0", restarting.Message);
        Assert.Equal(["systemctl", "restart", "cloudflared-backup0"], LastJob(h));

        // Back-off: the next restart no sooner than backup_connect_timeout (5 s), then 10 s.
        await h.CycleAsync(4);
        Assert.Equal(1, h.Units.Count("restart"));
        await h.CycleAsync();
        Assert.Equal(2, h.Units.Count("restart"));
        await h.CycleAsync(9);
        Assert.Equal(2, h.Units.Count("restart"));
        await h.CycleAsync();
        Assert.Equal(3, h.Units.Count("restart"));
        Assert.Equal(1, h.Units.Count("start"));
    }

    [Fact]
    public async Task Cycle_RestartedBackupConnects_NoFurtherRestart_FailbackLater()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => (o.BackupConnectTimeout, o.MinActionInterval) = (5, 0));
        await h.Worker.InitializeAsync(CancellationToken.None);
        var joins = h.Units.OnStart;
        h.Units.OnStart = _ => { };
        h.PrimaryLeaves();
        await h.CycleAsync(6);
        Assert.Equal(0, h.Units.Count("restart"));

        h.Units.OnStart = joins; // this time the backup connects
        await h.CycleAsync();
        Assert.Equal(1, h.Units.Count("restart"));
        await h.CycleAsync(20);
        Assert.Equal(1, h.Units.Count("restart"));

        h.PrimaryReturns();
        await h.CycleAsync(3);
        Assert.Equal(1, h.Units.Count("stop"));
    }

    /// <summary>With max_actions_per_hour 2: fail over, fail back, then the primary leaves again and the third action is held.</summary>
    private static async Task DriveIntoHoldAsync(MonitorHarness h)
    {
        h.PrimaryLeaves();
        await h.CycleAsync(2);
        Assert.Equal(1, h.Units.Count("start"));
        h.PrimaryReturns();
        await h.CycleAsync(3);
        Assert.Equal(1, h.Units.Count("stop"));
        h.PrimaryLeaves();
        await h.CycleAsync(2);
        Assert.Equal(1, h.Units.Count("start"));
    }

    /// <summary>The command line of the last start, stop or restart.</summary>
    private static IEnumerable<string> LastJob(MonitorHarness h)
    {
        var call = h.Units.Runner.Calls.Last(c => c.Arguments[0] is "start" or "stop" or "restart");
        return [Path.GetFileName(call.FileName), .. call.Arguments];
    }
}
