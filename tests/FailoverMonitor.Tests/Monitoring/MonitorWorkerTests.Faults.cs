using FailoverMonitor.Monitoring;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>The daemon's own faults: a stop that takes long, a cycle that fails every time, a state file that cannot be written.</summary>
public sealed partial class MonitorWorkerTests
{
    // Event ids of Logging/Log.Faults.cs (and CycleFailed, StateFileUnwritable of Log.cs).
    private const int CycleFailed = 41;
    private const int StateFileUnwritable = 61;
    private const int CycleRecovered = 161;
    private const int WatchdogWithheld = 162;
    private const int StateFileWritable = 163;
    private const int BackupStillStopping = 164;

    [Fact]
    public async Task Failback_BackupStopTakesLong_CycleDoesNotWaitAndLaterChecksReadTheRealState()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o["min_action_interval"] = 0);
        await h.FailOverAsync();
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
        h.Units.SlowStops = true;

        // The failback's stop is queued, not waited for: the cycle ends while ExecStop= still runs.
        h.PrimaryReturns();
        await h.CycleAsync(3);
        Assert.Equal(1, h.Units.Count("stop"));
        Assert.Equal(LogLevel.Information, Assert.Single(h.Logs.WithId(BackupStillStopping)).Level);
        Assert.Empty(h.Logs.WithId(FailedBack));

        // Later checks read "deactivating" (not active): nothing asked again, nothing started.
        await h.CycleAsync(3);
        Assert.False(h.Worker.States[h.Tunnel.TunnelId].BackupActive);
        h.Units.FinishStops();
        await h.CycleAsync(2);
        Assert.Single(h.Logs.WithId(FailedBack)); // once the stop has really ended
        Assert.Equal(1, h.Units.Count("stop"));
        Assert.Equal(1, h.Units.Count("start"));
        Assert.False(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Loop_CycleFailsEveryTime_ShownInStatusLineAndStateFileAndWatchdogWithheld()
    {
        await using var h = await MonitorHarness.StartAsync(withNotifySocket: true);
        h.Gateway.Throws = new InvalidOperationException("probe\nbroke");
        await h.Worker.StartAsync(CancellationToken.None);
        Assert.StartsWith("STATUS=1 tunnel: ", await h.Notify!.ReceiveAsync()); // READY=1 is the host's, after StartAsync
        Assert.StartsWith("WATCHDOG=1\nSTATUS=CHECKS FAILING since 00:00:00Z (1 in a row: probe\\nbroke); 1 tunnel: ", await h.Notify.ReceiveAsync());

        // Every cycle fails: WATCHDOG=1 goes on only until they have failed for the limit, STATUS= all along.
        string message;
        var cycles = 1;
        do
        {
            await h.Clock.FireNextDelayAsync();
            message = await h.Notify.ReceiveAsync();
            cycles++;
        }
        while (message.StartsWith("WATCHDOG=1", StringComparison.Ordinal) && cycles < 100);

        var limit = CycleHealth.WatchdogLimit(h.Settings.Checks.CheckInterval);
        Assert.Equal(limit, h.Clock.GetUtcNow() - FakeTimeProvider.Start);
        Assert.StartsWith($"STATUS=CHECKS FAILING since 00:00:00Z ({cycles} in a row: probe\\nbroke)", message);
        Assert.Equal(LogLevel.Critical, Assert.Single(h.Logs.WithId(WatchdogWithheld)).Level);
        Assert.Single(h.Logs.WithId(CycleFailed)); // one stack trace, not one per cycle
        var snapshot = new StateFile(h.StatePath).Read()!;
        Assert.Null(snapshot.LastGoodCheckAt);
        Assert.Equal(cycles, snapshot.FailedChecks);
        Assert.Equal("probe\nbroke", snapshot.CheckError);

        // A good cycle feeds the watchdog again and says so.
        h.Gateway.Throws = null;
        await h.Clock.FireNextDelayAsync();
        Assert.StartsWith("WATCHDOG=1\nSTATUS=1 tunnel: ", await h.Notify.ReceiveAsync());
        Assert.Equal($"Check cycle completes again after {cycles} failed attempt(s)", Assert.Single(h.Logs.WithId(CycleRecovered)).Message);
        Assert.Equal(0, new StateFile(h.StatePath).Read()!.FailedChecks);
        await h.Worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Loop_StateDirectoryUnusableThenBack_OneWarningMonitoringGoesOnThenWrittenAgain()
    {
        await using var h = await MonitorHarness.StartAsync();
        var directory = Path.GetDirectoryName(h.StatePath)!;
        await h.Worker.StartAsync(CancellationToken.None);
        await h.Clock.WaitForTimerAsync(_ => true, delaysOnly: true);
        Assert.True(File.Exists(h.StatePath));

        // Replace the state file's directory by a file, so nothing can be written under it (as with a read-only or
        // vanished /run/failover-monitor; root ignores modes, so a mode would not do).
        var moved = directory + ".moved";
        Directory.Move(directory, moved);
        await File.WriteAllTextAsync(directory, "not a directory", TestContext.Current.CancellationToken);
        try
        {
            h.PrimaryLeaves();
            await NextCyclesAsync(h, 4);
        }
        finally
        {
            File.Delete(directory);
            Directory.Move(moved, directory);
        }

        Assert.Equal(1, h.Units.Count("start")); // monitoring went on
        Assert.Equal(LogLevel.Warning, Assert.Single(h.Logs.WithId(StateFileUnwritable)).Level);
        await NextCyclesAsync(h, 2);
        Assert.Single(h.Logs.WithId(StateFileWritable));
        Assert.Single(h.Logs.WithId(StateFileUnwritable));
        Assert.Equal(true, new StateFile(h.StatePath).Read()!.Tunnels[0].BackupActive);
        await h.Worker.StopAsync(CancellationToken.None);
    }

    /// <summary>Lets the running loop do <paramref name="count"/> more cycles: fires its wait, then waits until it is parked again.</summary>
    private static async Task NextCyclesAsync(MonitorHarness h, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await h.Clock.FireNextDelayAsync();
            await h.Clock.WaitForTimerAsync(_ => true, delaysOnly: true);
        }
    }
}
