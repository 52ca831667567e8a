using FailoverMonitor.Gateway;
using FailoverMonitor.Tests.TestSupport;
using FakeCloudflareApi;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Monitoring;

public sealed partial class MonitorWorkerTests
{
    // Event ids of Logging/Log.cs that these tests assert on.
    private const int UnitStateAtStartup = 6;
    private const int StatusChanged = 10;
    private const int TunnelUnknown = 12;
    private const int ConfigurationProblem = 13;
    private const int KnownAgain = 14;
    private const int FailoverStarting = 20;
    private const int FailedOver = 21;
    private const int StartFailed = 22;
    private const int FailbackStopping = 23;
    private const int FailedBack = 24;
    private const int UnitStateChanged = 26;
    private const int GatewayUnreachable = 30;
    private const int GatewayReachable = 31;
    private const int Heartbeat = 40;

    [Fact]
    public async Task Flow_Healthy_PrimaryLeaves_FailedOver_PrimaryBack_Restored()
    {
        // The flap guard has tests of its own; here a failback may follow a failover at once.
        await using var h = await MonitorHarness.StartAsync(configure: o => o["min_action_interval"] = 0);
        await h.Worker.InitializeAsync(CancellationToken.None);

        await h.CycleAsync(3);
        Assert.Equal(0, h.Units.Count("start"));

        h.PrimaryLeaves();
        await h.CycleAsync();
        Assert.Equal(0, h.Units.Count("start"));
        await h.CycleAsync();
        Assert.Equal(1, h.Units.Count("start"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
        var failover = Assert.Single(h.Logs.WithId(FailoverStarting));
        Assert.Equal(LogLevel.Error, failover.Level);
        Assert.StartsWith("Tunnel web0 is down. Starting local service cloudflared-backup0", failover.Message);
        Assert.Single(h.Logs.WithId(FailedOver));

        // The backup serves alone for a while: nothing happens, and it is never started twice.
        await h.CycleAsync(5);
        Assert.Equal(1, h.Units.Count("start"));
        Assert.Equal(0, h.Units.Count("stop"));

        h.PrimaryReturns();
        await h.CycleAsync(2);
        Assert.Equal(0, h.Units.Count("stop"));
        await h.CycleAsync();
        Assert.Equal(1, h.Units.Count("stop"));
        Assert.False(h.Units.IsActive("cloudflared-backup0"));
        Assert.Single(h.Logs.WithId(FailbackStopping));
        Assert.Single(h.Logs.WithId(FailedBack));

        await h.CycleAsync(5);
        Assert.Equal(1, h.Units.Count("start"));
        Assert.Equal(1, h.Units.Count("stop"));
        Assert.Equal(["healthy", "down", "healthy"], h.Logs.WithId(StatusChanged).Select(e => e.Message.Split(' ')[^1]));
    }

    [Fact]
    public async Task Cycle_Api500WhileHealthy_NoActionAndOneWarning()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync();
        h.PrimaryLeaves();
        h.Api.InjectFault(new FakeFault(FaultKind.Status, StatusCode: 500));

        for (var i = 0; i < 4; i++)
        {
            await h.CycleFiringRetryDelaysAsync();
        }

        Assert.Equal(0, h.Units.Count("start"));
        var warning = Assert.Single(h.Logs.WithId(TunnelUnknown));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("HTTP 500", warning.Message);

        h.Api.ClearFaults();
        await h.CycleAsync();
        Assert.Single(h.Logs.WithId(KnownAgain));
    }

    [Fact]
    public async Task Cycle_BadToken_ConfigurationProblemAtErrorLevel_NoAction()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        h.Api.InjectFault(new FakeFault(FaultKind.Status, StatusCode: 403));

        await h.CycleAsync(3);

        var problem = Assert.Single(h.Logs.WithId(ConfigurationProblem));
        Assert.Equal(LogLevel.Error, problem.Level);
        Assert.Contains("Cloudflare Tunnel › Read", problem.Message);
        Assert.Equal(0, h.Units.Count("start"));
    }

    [Fact]
    public async Task Cycle_GatewayUnreachable_NoApiCallOneWarningThenInfoWhenBack()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        h.Api.ClearRequests();
        h.PrimaryLeaves();
        h.Gateway.Answer = new GatewayProbeResult(false, "TimedOut");

        await h.CycleAsync(4);

        Assert.Equal(0, h.Api.CountRequests());
        Assert.Equal(0, h.Units.Count("start"));
        Assert.Equal(LogLevel.Warning, Assert.Single(h.Logs.WithId(GatewayUnreachable)).Level);

        h.Gateway.Answer = new GatewayProbeResult(true);
        await h.CycleAsync();
        Assert.Single(h.Logs.WithId(GatewayReachable));
        Assert.Equal(1, h.Api.CountRequests());
    }

    [Fact]
    public async Task Initialize_BackupAlreadyActive_IsReadBack_AndNeverStartedAgain()
    {
        await using var h = await MonitorHarness.StartAsync();
        h.PrimaryLeaves();
        h.Units.Set("cloudflared-backup0", true);

        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync(4);

        Assert.Contains("is active (failed over) at start-up", Assert.Single(h.Logs.WithId(UnitStateAtStartup)).Message);
        Assert.Equal(0, h.Units.Count("start"));
        Assert.True(h.Worker.States[h.Tunnel.TunnelId].BackupActive);
    }

    [Fact]
    public async Task Cycle_StartDoesNotTake_ErrorWithSystemctlMessage_RetriedAfterBackoff()
    {
        await using var h = await MonitorHarness.StartAsync();
        h.Units.FailStarts = true;

        await h.FailOverAsync();
        Assert.Equal(1, h.Units.Count("start"));
        var error = Assert.Single(h.Logs.WithId(StartFailed));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("exited with code 1: Job for cloudflared-backup0.service failed", error.Message);

        // Back-off is max(check_interval, 5 s): no attempt during the next 4 cycles of 1 s.
        await h.CycleAsync(4);
        Assert.Equal(1, h.Units.Count("start"));
        await h.CycleAsync();
        Assert.Equal(2, h.Units.Count("start"));
    }

    [Fact]
    public async Task Cycle_TunnelsSharingAccountAndToken_OneListRequestPerCycle()
    {
        await using var h = await MonitorHarness.StartAsync(tunnels: 3);
        await h.Worker.InitializeAsync(CancellationToken.None);
        h.Api.ClearRequests();

        await h.CycleAsync(2);

        Assert.Equal(2, h.Api.CountRequests());
        Assert.All(h.Api.Requests, r => Assert.EndsWith("/cfd_tunnel", r.Path));
    }

    [Fact]
    public async Task Cycle_BackupStoppedOutsideTheMonitor_IsNoticedAndLogged()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.FailOverAsync();
        Assert.True(h.Units.IsActive("cloudflared-backup0"));

        h.Units.Set("cloudflared-backup0", false);
        h.Api.RemoveConnector(h.Tunnel.TunnelId, MonitorHarness.BackupConnector);
        await h.CycleAsync();

        Assert.Contains("is now inactive (was active)", Assert.Single(h.Logs.WithId(UnitStateChanged)).Message);
        await h.CycleAsync();
        Assert.Equal(2, h.Units.Count("start"));
    }

    [Fact]
    public async Task Cycle_HeartbeatEveryInterval_SummarisesEveryTunnel()
    {
        await using var h = await MonitorHarness.StartAsync(tunnels: 2, configure: o => o["heartbeat_interval"] = 10);
        await h.Worker.InitializeAsync(CancellationToken.None);

        await h.CycleAsync(21);

        var beats = h.Logs.WithId(Heartbeat);
        Assert.Equal(2, beats.Count);
        Assert.Contains("web0 healthy, cloudflared-backup0 inactive", beats[0].Message);
        Assert.Contains("web1 healthy, cloudflared-backup1 inactive", beats[0].Message);
    }

    [Fact]
    public async Task Logs_NeverContainTheToken()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        h.PrimaryLeaves();
        await h.CycleAsync(3);
        h.Api.InjectFault(new FakeFault(FaultKind.Status, StatusCode: 401));
        await h.CycleAsync();

        Assert.NotEmpty(h.Logs.GetSnapshot());
        Assert.DoesNotContain(h.Logs.GetSnapshot(), e => e.Message.Contains(MonitorHarness.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_UnitStatesReadAndStatusSentBeforeItReturns_WatchdogPerCycle_StopLeavesBackupRunning()
    {
        await using var h = await MonitorHarness.StartAsync(withNotifySocket: true);
        h.Units.Set("cloudflared-backup0", true);
        var interval = h.Settings.Checks.CheckInterval;

        // The host sends READY=1 once StartAsync has returned: by then the unit's real state is known.
        await h.Worker.StartAsync(CancellationToken.None);
        Assert.True(h.Worker.States[h.Settings.Tunnels[0].TunnelId].BackupActive);
        Assert.StartsWith("STATUS=1 tunnel: 1 failed over (web0 → cloudflared-backup0", await h.Notify!.ReceiveAsync());
        Assert.StartsWith("WATCHDOG=1", await h.Notify.ReceiveAsync());
        await h.Clock.WaitForTimerAsync(due => due == interval);
        Assert.Equal(1, h.Gateway.Probes);

        h.Clock.Advance(interval);
        Assert.StartsWith("WATCHDOG=1", await h.Notify.ReceiveAsync());
        await h.Clock.WaitForTimerAsync(due => due == interval);
        Assert.Equal(2, h.Gateway.Probes);

        await h.Worker.StopAsync(CancellationToken.None);
        Assert.Equal(0, h.Units.Count("stop"));
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
    }
}
