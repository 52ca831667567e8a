using System.Text.Json.Nodes;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>The worker under the flap guard (stops and restarts only) and its hold, and restarting a backup that never connects.</summary>
public sealed partial class MonitorWorkerTests
{
    private const int CountingTowardAction = 15;
    private const int RestartingBackup = 28;
    private const int Hold = 35;
    private const int HoldReleased = 36;

    [Fact]
    public async Task Cycle_ActionBeyondMaxActionsPerHour_CriticalHoldOnce_NoSystemctlActionFollows()
    {
        await using var h = await StartHeldAsync();

        var hold = Assert.Single(h.Logs.WithId(Hold));
        Assert.Equal(LogLevel.Critical, hold.Level);
        Assert.StartsWith("Tunnel web0 on hold: 3 actions within the last hour reached max_actions_per_hour 2", hold.Message);
        var heldSince = h.Worker.States[h.Tunnel.TunnelId].HeldSince;
        Assert.NotNull(heldSince);
        Assert.EndsWith($"Local service cloudflared-backup0 is active; holding: no stop or restart until {heldSince.Value.Wall + FailoverPolicy.HoldWindow:HH:mm:ss} UTC "
            + "or `systemctl reload failover-monitor`; a down tunnel still gets its backup started", hold.Message);

        // The primary stays back: still no stop, and the CRITICAL line is not repeated.
        await h.CycleAsync(30);
        Assert.Single(h.Logs.WithId(Hold));
        Assert.Equal(2, h.Units.Count("start"));
        Assert.Equal(1, h.Units.Count("stop"));
        Assert.Equal(0, h.Units.Count("restart"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Cycle_WhileHeld_NoInformationLinePerCycle()
    {
        await using var h = await StartHeldAsync();
        var before = h.Logs.GetSnapshot().Count(e => e.Level >= LogLevel.Information);

        await h.CycleAsync(20);

        // One line on entry (the CRITICAL one) is enough; a reminder at most every few minutes, never one per cycle.
        var lines = h.Logs.GetSnapshot().Skip(before).Where(e => e.Level >= LogLevel.Information).Select(e => $"{e.Id.Id}: {e.Message}").ToList();
        Assert.Empty(lines);
    }

    [Fact]
    public async Task Cycle_HourAfterHold_ReleasedAndFailsBack()
    {
        await using var h = await StartHeldAsync();
        await h.CycleAsync(5);
        Assert.Empty(h.Logs.WithId(HoldReleased));

        h.Clock.Advance(FailoverPolicy.HoldWindow);
        await h.CycleAsync();

        Assert.Equal(LogLevel.Information, Assert.Single(h.Logs.WithId(HoldReleased)).Level);
        Assert.Null(h.Worker.States[h.Tunnel.TunnelId].HeldSince);
        Assert.Equal(2, h.Units.Count("stop"));
        Assert.False(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Cycle_OppositeActionWithinMinActionInterval_WaitsThenActs()
    {
        // Default min_action_interval 30 s: a failback 3 s after the failover waits until 30 s have passed.
        await using var h = await MonitorHarness.StartAsync();
        var startedAt = await h.FailOverAsync();
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
        await using var h = await MonitorHarness.StartAsync(configure: o => o["backup_connect_timeout"] = 5);
        h.Units.OnStart = _ => { }; // the unit runs, but no connector ever joins the tunnel
        await h.FailOverAsync();
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
        await using var h = await MonitorHarness.StartAsync(configure: o => { o["backup_connect_timeout"] = 5; o["min_action_interval"] = 0; });
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

    [Fact]
    public async Task Cycle_PrimaryDiesAgainWithinMinActionIntervalOfFailback_StartsAfterFailureThreshold()
    {
        // Default min_action_interval 30 s; the failback waits it out, then the primary dies again 5 s later.
        await using var h = await MonitorHarness.StartAsync();
        await h.FailOverAsync();
        h.PrimaryReturns();
        for (var i = 0; i < 40 && h.Units.Count("stop") == 0; i++)
        {
            await h.CycleAsync();
        }

        Assert.Equal(1, h.Units.Count("stop"));
        await h.CycleAsync(4);
        h.PrimaryLeaves();
        await h.CycleAsync();
        Assert.Equal(1, h.Units.Count("start"));
        await h.CycleAsync();

        Assert.Equal(2, h.Units.Count("start"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
        Assert.DoesNotContain(h.Logs.GetSnapshot(), e => e.Message.Contains("flap guard:", StringComparison.Ordinal) && e.Message.Contains("down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cycle_OnHoldAndTheBackupDies_StartedAgainAndTheHoldStays()
    {
        await using var h = await StartHeldAsync();
        var heldSince = h.Worker.States[h.Tunnel.TunnelId].HeldSince;

        // The backup unit dies while the primary is gone again: the tunnel is dark.
        h.Units.Set("cloudflared-backup0", false);
        h.Api.RemoveConnector(h.Tunnel.TunnelId, MonitorHarness.BackupConnector);
        h.PrimaryLeaves();
        await h.CycleAsync(2);

        Assert.Equal(3, h.Units.Count("start"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
        Assert.Equal(heldSince, h.Worker.States[h.Tunnel.TunnelId].HeldSince);
        Assert.Contains("but a start is never held back", h.Logs.WithId(FailoverStarting).Last().Message);
        Assert.Single(h.Logs.WithId(Hold));
    }

    [Fact]
    public async Task Cycle_OnHoldAndTheBackupNeverConnects_NotRestarted()
    {
        await using var h = await StartHeldAsync(o => o["backup_connect_timeout"] = 5);

        h.Api.RemoveConnector(h.Tunnel.TunnelId, MonitorHarness.BackupConnector);
        h.PrimaryLeaves();
        await h.CycleAsync(20);

        Assert.Equal(0, h.Units.Count("restart"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Cycle_OnHold_StateFileSaysStopsAreFrozenAndStartsAreNot()
    {
        await using var h = await StartHeldAsync();

        // The loop publishes the state file after each cycle; once it is parked on its interval, one has run.
        await h.Worker.StartAsync(CancellationToken.None);
        await h.Clock.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(1));
        var tunnel = Assert.Single(new FailoverMonitor.Status.StateFile(h.StatePath).Read()!.Tunnels);
        await h.Worker.StopAsync(CancellationToken.None);

        var heldSince = h.Worker.States[h.Tunnel.TunnelId].HeldSince!.Value.Wall;
        Assert.Equal(heldSince, tunnel.HeldSince);
        Assert.Equal(heldSince + FailoverPolicy.HoldWindow, tunnel.HeldUntil);
    }

    /// <summary>
    /// Starts a harness with max_actions_per_hour 2 and min_action_interval 0 (then <paramref name="configure"/>),
    /// and drives it into the hold: fail over, fail back, fail over again (a start is never held), then the primary
    /// returns and the stop, the fourth action, is held: the backup stays active.
    /// </summary>
    private static async Task<MonitorHarness> StartHeldAsync(Action<JsonObject>? configure = null)
    {
        var h = await MonitorHarness.StartAsync(configure: o =>
        {
            o["max_actions_per_hour"] = 2;
            o["min_action_interval"] = 0;
            configure?.Invoke(o);
        });
        try
        {
            await h.FailOverAsync();
            Assert.Equal(1, h.Units.Count("start"));
            h.PrimaryReturns();
            await h.CycleAsync(3);
            Assert.Equal(1, h.Units.Count("stop"));
            h.PrimaryLeaves();
            await h.CycleAsync(2);
            Assert.Equal(2, h.Units.Count("start"));
            h.PrimaryReturns();
            await h.CycleAsync(3);
            Assert.Equal(1, h.Units.Count("stop"));
            return h;
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
    }

    /// <summary>The command line of the last start, stop or restart.</summary>
    private static IEnumerable<string> LastJob(MonitorHarness h)
    {
        var call = h.Units.Runner.Calls.Last(c => c.Arguments[0] is "start" or "stop" or "restart");
        return [Path.GetFileName(call.FileName), .. call.Arguments];
    }
}
