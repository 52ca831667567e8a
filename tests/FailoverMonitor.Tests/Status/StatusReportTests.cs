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

    [Fact]
    public void Liveness_ThisProcessWithItsStartTicks_Running() =>
        Assert.Equal(DaemonLiveness.Running, StatusReport.Liveness(new StatusSnapshot { Pid = Environment.ProcessId, ProcessStartTicks = ProcessIdentity.StartTicks(Environment.ProcessId) }));

    [Fact]
    public void Liveness_ThisProcessWithoutStartTicks_RunningByItsPidAlone() =>
        Assert.Equal(DaemonLiveness.Running, StatusReport.Liveness(new StatusSnapshot { Pid = Environment.ProcessId }));

    [Fact]
    public void Liveness_PidRunsButStartedAtAnotherTime_PidReused() =>
        Assert.Equal(DaemonLiveness.PidReused, StatusReport.Liveness(new StatusSnapshot { Pid = Environment.ProcessId, ProcessStartTicks = ProcessIdentity.StartTicks(Environment.ProcessId) + 1 }));

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(int.MaxValue)] // above any pid_max: no such process
    public void Liveness_NoSuchProcess_Exited(int pid) =>
        Assert.Equal(DaemonLiveness.Exited, StatusReport.Liveness(new StatusSnapshot { Pid = pid, ProcessStartTicks = 99 }));

    [Fact]
    public void ToTable_FullSnapshot_HeaderTunnelRowAndTokenRow()
    {
        var snapshot = Snapshot(
            Tunnel("web") with
            {
                Status = "unknown", UnknownReason = "HTTP 502", LiveConnectors = ["aaaaaaaa-1111", "bbbbbbbb-2222"], LocalConnectorId = "bbbbbbbb-2222",
                ConsecutiveFailures = 2, ConsecutiveRecoveries = 1, LastAction = "started backup", LastActionAt = T0 + TimeSpan.FromSeconds(61),
            },
            Tunnel("api") with { Status = null, LiveConnectors = [], BackupActive = null }) with
        {
            DryRun = true,
            GatewayReachable = false,
            Tokens = [new TokenStatusEntry { Tunnels = ["web", "api"], RequestsSent = 12, BudgetPer5Minutes = 200, RateLimitedUntil = T0 + TimeSpan.FromMinutes(3) }],
        };

        var lines = StatusReport.ToTable(snapshot, T0).Split(Environment.NewLine);

        Assert.Equal("FailoverMonitor 1.0.0, pid 4242, up since 2026-01-01 00:00:00Z, config /opt/failover-monitor/tunnels.json, DRY RUN", lines[0]);
        Assert.Equal("Last check 0 s ago (every 3 s); gateway 192.0.2.1 UNREACHABLE", lines[1]);
        Assert.Matches(@"^TUNNEL +ID +STATUS +CONNECTORS +BACKUP +COUNTS +LAST ACTION +HOLD$", lines[3]);
        Assert.Matches(@"^web +6ff42ae2 +unknown: HTTP 502 +aaaaaaaa bbbbbbbb\(local\) +cloudflared-backup active +fail 2 back 1 +01-01 00:01:01Z started backup +-$", lines[4]);
        Assert.Matches(@"^api +6ff42ae2 +- +none +cloudflared-backup unreadable +fail 0 back 0 +- +-$", lines[5]);
        Assert.Matches(@"^TOKEN OF +REQUESTS SENT +BUDGET /5 MIN +RATE LIMITED$", lines[7]);
        Assert.Matches(@"^web,api +12 +200 of 1200 +until 00:03:00Z$", lines[8]);
    }

    [Fact]
    public void ToTable_NotProbedYetAndConnectorsNotFetched_SaidSo()
    {
        var table = StatusReport.ToTable(Snapshot(Tunnel("web") with { BackupActive = false }) with { GatewayReachable = null }, T0);

        Assert.Contains("gateway 192.0.2.1 not probed yet", table, StringComparison.Ordinal);
        Assert.Matches(@"\nweb +6ff42ae2 +healthy +- +cloudflared-backup inactive ", table);
    }

    [Fact]
    public void ToJson_Snapshot_SnakeCaseJsonThatReadsBack()
    {
        var json = StatusReport.ToJson(Snapshot(Tunnel("web")));

        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(4242, document.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal("192.0.2.1", document.RootElement.GetProperty("gateway_ip").GetString());
        Assert.Equal("cloudflared-backup", document.RootElement.GetProperty("tunnels")[0].GetProperty("service").GetString());
        Assert.True(document.RootElement.GetProperty("tunnels")[0].GetProperty("backup_active").GetBoolean());
    }
}
