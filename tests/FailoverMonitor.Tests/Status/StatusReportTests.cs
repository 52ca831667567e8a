using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Status;

public sealed class StatusReportTests
{
    private static readonly DateTimeOffset T0 = FakeTimeProvider.Start;

    private static StatusSnapshot Snapshot(params TunnelStatusEntry[] tunnels) => new()
    {
        Pid = 4242,
        Version = "1.0.0",
        ConfigPath = "/opt/failover-monitor/tunnels.json",
        StartedAt = T0,
        UpdatedAt = T0,
        CheckInterval = 3,
        GatewayIp = "192.0.2.1",
        GatewayReachable = true,
        Tunnels = tunnels,
    };

    private static TunnelStatusEntry Tunnel(string name) => new()
    {
        Name = name,
        TunnelId = "6ff42ae2-765d-4adf-8112-31c55c1551ef",
        Status = "healthy",
        Service = "cloudflared-backup",
        BackupActive = true,
    };

    [Fact]
    public void ToTable_TunnelOnHold_SaysStopsAndRestartsAreFrozenAndStartsAreNot()
    {
        var held = Tunnel("web") with { HeldSince = T0 + TimeSpan.FromMinutes(5), HeldUntil = T0 + TimeSpan.FromMinutes(65) };

        var table = StatusReport.ToTable(Snapshot(held, Tunnel("api")), T0 + TimeSpan.FromMinutes(6));

        Assert.Contains("since 00:05:00Z", table);
        Assert.Contains(
            "Tunnel web on hold: holding: no stop or restart until 01:05:00 UTC or `systemctl reload failover-monitor`; a down tunnel still gets its backup started",
            table);
        Assert.DoesNotContain("Tunnel api on hold", table);
    }

    [Fact]
    public void ToTable_NoHold_NoHoldLine() =>
        Assert.DoesNotContain("on hold", StatusReport.ToTable(Snapshot(Tunnel("web")), T0));

    [Fact]
    public void ToJson_TunnelOnHold_CarriesHeldSinceAndHeldUntil()
    {
        var json = StatusReport.ToJson(Snapshot(Tunnel("web") with { HeldSince = T0, HeldUntil = T0 + TimeSpan.FromHours(1) }));

        Assert.Contains("\"held_since\": \"2026-01-01T00:00:00+00:00\"", json);
        Assert.Contains("\"held_until\": \"2026-01-01T01:00:00+00:00\"", json);
    }

    [Fact]
    public void ToTable_CyclesRunToTheirEnd_LastCheckOnly()
    {
        var table = StatusReport.ToTable(Snapshot() with { UpdatedAt = T0 - TimeSpan.FromSeconds(2), LastGoodCheckAt = T0 - TimeSpan.FromSeconds(2) }, T0);

        Assert.Contains("Last check 2 s ago (every 3 s); gateway 192.0.2.1 reachable", table, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", table, StringComparison.Ordinal);
    }

    [Fact]
    public void ToTable_CyclesFailEveryTime_LastAttemptFailedAndLastSuccessfulCheckApart()
    {
        var snapshot = Snapshot() with
        {
            UpdatedAt = T0 - TimeSpan.FromSeconds(2),
            LastGoodCheckAt = T0 - TimeSpan.FromSeconds(90),
            FailedChecks = 29,
            CheckError = "probe broke",
        };

        var table = StatusReport.ToTable(snapshot, T0);

        Assert.Contains("Last check 2 s ago FAILED (29 in a row: probe broke); last successful check 90 s ago (every 3 s)", table, StringComparison.Ordinal);
    }

    [Fact]
    public void ToTable_NoCycleEverCompleted_LastSuccessfulCheckNever()
    {
        var table = StatusReport.ToTable(Snapshot() with { FailedChecks = 3, CheckError = "x" }, T0);

        Assert.Contains("FAILED (3 in a row: x); last successful check never", table, StringComparison.Ordinal);
    }
}
